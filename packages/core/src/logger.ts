import { redactSecrets } from './errors.js';

/** Fields of one log line: plain JSON-able data. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * One level of a {@link Logger}, in the shape pino and the console both take: an object of
 * fields then a message (`log.warn({ region }, 'throttled')`), or a message alone.
 */
export interface LogFn {
  (fields: object, message?: string, ...rest: unknown[]): void;
  (message: string, ...rest: unknown[]): void;
}

/** The levels snapcopy logs at, least severe first. */
export const LOG_LEVELS = Object.freeze(['debug', 'info', 'warn', 'error'] as const);
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Structured log sink: a pino logger, `console`, or anything with the four levels. snapcopy
 * calls it as `logger.level(fields, message)` (fields first, as pino does) or
 * `logger.level(message)`. Whatever is passed in is wrapped in {@link redactingLogger}.
 */
export interface Logger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
}

const noop = (): void => {};

/** Discards everything. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

function isFields(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Error);
}

/** Fields with every secret removed (through JSON: what a sink may serialize is what is checked). */
function cleanFields(fields: object): Record<string, unknown> {
  const source =
    fields instanceof Error
      ? { err: { name: fields.name, message: fields.message } }
      : (fields as Record<string, unknown>);
  try {
    return JSON.parse(redactSecrets(JSON.stringify(source) ?? '{}')) as Record<string, unknown>;
  } catch {
    return { unserializable: true };
  }
}

/**
 * One call in either shape, as `[fields, message]`: pino's `(fields, message)`, a bare
 * `(message)`, and the earlier `(message, fields)` order are all read the same way.
 */
export function normalizeLogCall(args: readonly unknown[]): {
  fields?: Record<string, unknown>;
  message?: string;
} {
  const [first, second] = args;
  if (typeof first === 'string') {
    return isFields(second) ? { fields: second, message: first } : { message: first };
  }
  if (typeof first === 'object' && first !== null) {
    return typeof second === 'string'
      ? { fields: first as Record<string, unknown>, message: second }
      : { fields: first as Record<string, unknown> };
  }
  return first === undefined ? {} : { message: String(first) };
}

/**
 * Wraps a logger so that no secret, signature or presigned URL reaches it: every message
 * and field is redacted first. Each line reaches `inner` as `(fields, message)` when it has
 * fields, else `(message)`. A logger without `error` gets error lines at `warn`.
 */
export function redactingLogger(inner: Partial<Logger> & Pick<Logger, 'debug' | 'info' | 'warn'>): Logger {
  const level =
    (name: LogLevel): LogFn =>
    (...args: unknown[]) => {
      const target = (name === 'error' ? (inner.error ?? inner.warn) : inner[name]) as (
        ...args: unknown[]
      ) => void;
      const { fields, message } = normalizeLogCall(args);
      const text = message === undefined ? undefined : redactSecrets(message);
      if (fields === undefined) target.call(inner, text ?? '');
      else if (text === undefined) target.call(inner, cleanFields(fields));
      else target.call(inner, cleanFields(fields), text);
    };
  return { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') };
}
