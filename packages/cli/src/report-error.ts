import { isSnapcopyError, redactSecrets, type SnapcopyError } from '@snapcopy/core';
import { EXIT_CODES, type ExitCode, exitCodeForError } from './exit-codes.js';
import { escapeControlCharacters } from './output/format.js';

/**
 * One line for stderr: newlines in it fold into spaces, secrets are redacted and every
 * remaining control character is shown escaped (input echoed in a message stays inert).
 */
export function errorLine(text: string): string {
  return escapeControlCharacters(redactSecrets(text.trim().replace(/\s*\n\s*/g, ' ')));
}

/** Writes {@link errorLine} of `text` to stderr, with its newline. */
export function writeErrorLine(text: string): void {
  process.stderr.write(`${errorLine(text)}\n`);
}

/** One line naming the problem: the code, the message, and the provider's ids when there are any. */
export function formatErrorLine(err: SnapcopyError): string {
  const extra = [
    err.providerCode === undefined ? undefined : `provider code ${err.providerCode}`,
    err.requestId === undefined ? undefined : `request id ${err.requestId}`,
  ].filter((s): s is string => s !== undefined);
  const suffix = extra.length === 0 ? '' : ` (${extra.join(', ')})`;
  return errorLine(`snapcopy: ${err.code}: ${err.message}${suffix}`);
}

/**
 * Reports an error the way every command does: one line on stderr (never a stack trace,
 * unless SNAPCOPY_DEBUG=1), and with `--json` also one JSON document on stdout.
 * Returns the exit code.
 */
export function reportError(err: unknown, options: { json: boolean }): ExitCode {
  if (isSnapcopyError(err)) {
    process.stderr.write(`${formatErrorLine(err)}\n`);
    if (options.json)
      process.stdout.write(`${JSON.stringify({ ok: false, error: err.toJSON() }, null, 2)}\n`);
    return exitCodeForError(err.code);
  }
  const message = redactSecrets(err instanceof Error ? err.message : String(err));
  writeErrorLine(`snapcopy: internal error: ${message}`);
  if (process.env.SNAPCOPY_DEBUG === '1' && err instanceof Error && err.stack) {
    process.stderr.write(`${redactSecrets(err.stack)}\n`);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: { code: 'INTERNAL', message } }, null, 2)}\n`);
  }
  return EXIT_CODES.internal;
}
