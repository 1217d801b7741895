import type { Logger } from '@snapcopy/core';
import { normalizeLogCall } from '@snapcopy/core/driver';
import { errorLine } from './report-error.js';

/** A provider call as a copier logs it at `debug` (see core's `ProviderCallRecord`). */
interface CallFields {
  readonly provider?: unknown;
  readonly operation?: unknown;
  readonly region?: unknown;
  readonly httpStatusCode?: unknown;
  readonly requestId?: unknown;
  readonly durationMs?: unknown;
  readonly errorCode?: unknown;
}

/**
 * One provider call in one line: `snapcopy: call aws DescribeSnapshots us-west-2 200
 * request-id 7d0c… 12 ms`. Only the fields a copier reports: never a header or a secret.
 */
export function callLine(f: CallFields): string {
  const parts = [
    'snapcopy: call',
    String(f.provider),
    String(f.operation),
    String(f.region),
    f.httpStatusCode === undefined ? 'no-reply' : String(f.httpStatusCode),
    f.requestId === undefined ? 'request-id -' : `request-id ${String(f.requestId)}`,
    `${typeof f.durationMs === 'number' ? f.durationMs : '?'} ms`,
    ...(f.errorCode === undefined ? [] : [`error ${String(f.errorCode)}`]),
  ];
  return parts.join(' ');
}

/**
 * The copiers' logger for `--verbose`: each provider call as one line on stderr (see
 * {@link callLine}); other lines at their level, with their fields as JSON. Every line is
 * redacted and has its control characters escaped. Without `--verbose` no logger is given
 * at all (a copier then skips the work of logging).
 */
export function verboseLogger(write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  const at =
    (level: string) =>
    (...args: unknown[]) => {
      const { fields, message } = normalizeLogCall(args);
      if (fields !== undefined && 'operation' in fields && 'provider' in fields) {
        write(errorLine(callLine(fields as CallFields)));
        return;
      }
      const extra = fields === undefined ? '' : ` ${JSON.stringify(fields)}`;
      write(errorLine(`snapcopy: ${level}: ${message ?? ''}${extra}`));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * Warnings and errors only, one line each on stderr (`snapcopy worker: …`), with their
 * fields as JSON, redacted and escaped: for the engine and DBOS, whose debug and info
 * lines a command does not show.
 */
export function warningsLogger(
  prefix = 'snapcopy',
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  const at =
    (level: string) =>
    (...args: unknown[]) => {
      const { fields, message } = normalizeLogCall(args);
      const extra = fields === undefined ? '' : ` ${JSON.stringify(fields)}`;
      write(errorLine(`${prefix}: ${level === 'warn' ? '' : `${level}: `}${message ?? ''}${extra}`));
    };
  const skip = () => {};
  return { debug: skip, info: skip, warn: at('warn'), error: at('error') };
}
