import { SnapcopyError } from '@snapcopy/core';
import pg from 'pg';

/** Something that runs a query: a pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/**
 * Type parsers of snapcopy's pools: `bigint` columns (epoch ms) as numbers. Set per pool,
 * not globally, so DBOS's own pools keep node-postgres's defaults.
 */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** PostgreSQL's `idle_in_transaction_session_timeout`, ms, set in the URL for every pool. */
const IDLE_IN_TRANSACTION_MS = 60_000;

/**
 * The database URL with the session settings DBOS would otherwise set from a pool hook it
 * does not await (which makes node-postgres print a deprecation warning on every launch):
 * `options=-c idle_in_transaction_session_timeout=…`, unless the URL sets options itself.
 */
export function withSessionOptions(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      'the database URL is not a URL (postgresql://user:pass@host:5432/db)',
    );
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `the database URL must start with postgresql:// (got ${parsed.protocol}//)`,
    );
  }
  if (parsed.searchParams.has('options')) return url;
  parsed.searchParams.set('options', `-c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}`);
  return parsed.toString();
}

/** The URL without its password, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return `${parsed.protocol}//${parsed.username ? `${parsed.username}${parsed.password ? ':***' : ''}@` : ''}${parsed.host}${parsed.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * A pool on the database. An idle client that loses its connection (a PostgreSQL restart)
 * emits `error` on the pool; without a listener that is an uncaught error that ends the
 * process, so every pool gets one. Queries in flight fail and are retried by their callers.
 */
export function createPool(
  url: string,
  options: { max?: number; onError?: (err: Error) => void } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: withSessionOptions(url),
    max: options.max ?? 4,
    types: TYPES,
  });
  pool.on('error', (err) => options.onError?.(err));
  return pool;
}

/** Runs `fn` in a transaction on one client of `pool`; rolls back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** PostgreSQL error codes this package tells apart. */
export const PG_CODES = Object.freeze({
  undefinedDatabase: '3D000',
  duplicateDatabase: '42P04',
  uniqueViolation: '23505',
  undefinedTable: '42P01',
  undefinedSchema: '3F000',
});

/** The SQLSTATE of a node-postgres error, if any. */
export function pgCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
