import type { Logger } from '@snapcopy/core';
import { normalizeLogCall } from '@snapcopy/core/driver';
import type { ConformanceLogLine } from './harness.js';

/**
 * A logger that keeps every line, for {@link ConformanceHarness.logs}. It takes lines in
 * either shape core's `Logger` allows (`(fields, message)` as pino does, or `(message)`);
 * `error` lines are kept at `warn`.
 */
export function captureLogger(): { logger: Logger; lines: ConformanceLogLine[] } {
  const lines: ConformanceLogLine[] = [];
  const keep =
    (level: ConformanceLogLine['level']) =>
    (...args: unknown[]) => {
      const { fields, message = '' } = normalizeLogCall(args);
      lines.push(fields === undefined ? { level, message } : { level, message, fields });
    };
  return {
    logger: { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('warn') },
    lines,
  };
}
