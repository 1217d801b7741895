import { redactSecrets } from './errors.js';

/** Structured log sink. Every message and field passes through secret redaction first. */
export interface Logger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Discards everything. */
export const silentLogger: Logger = Object.freeze({ debug() {}, info() {}, warn() {} });

/** Wraps a logger so that no secret, signature or presigned URL reaches it. */
export function redactingLogger(inner: Logger): Logger {
  const clean = (fields?: Readonly<Record<string, unknown>>) =>
    fields === undefined
      ? undefined
      : (JSON.parse(redactSecrets(JSON.stringify(fields))) as Record<string, unknown>);
  return {
    debug: (m, f) => inner.debug(redactSecrets(m), clean(f)),
    info: (m, f) => inner.info(redactSecrets(m), clean(f)),
    warn: (m, f) => inner.warn(redactSecrets(m), clean(f)),
  };
}
