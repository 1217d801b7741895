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
  options: {
    max?: number;
    onError?: (err: Error) => void;
    timeoutMs?: number;
    /** A pool for DBOS itself: node-postgres's own type parsers. */
    forDbos?: boolean;
  } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: withSessionOptions(url),
    max: options.max ?? 4,
    ...(options.forDbos ? {} : { types: TYPES }),
    // A bound on connecting and on each query: a call that hangs (a connection the server
    // dropped mid-handshake) fails instead of stopping its caller's loop.
    ...(options.timeoutMs === undefined
      ? {}
      : { connectionTimeoutMillis: options.timeoutMs, query_timeout: options.timeoutMs }),
  });
  pool.on('error', (err) => options.onError?.(err));
  // node-postgres listens for errors on a client only while it is idle in the pool, and a
  // query's own listener fires once: a server that drops connections (a restart) can
  // deliver a second error on a checked-out client, which without a listener ends the
  // process. Each client gets one for its whole life; errors still fail the queries.
  pool.on('connect', (client) => client.on('error', ignore));
  return pool;
}

const ignore = () => undefined;

/** Runs `fn` in a transaction on one client of `pool`; rolls back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // The pool listens for errors on idle clients only. A checked-out client that the server
  // drops between two queries (a restart) emits `error` with no listener, which would end
  // the process; with this one, its next query fails instead and the caller retries.
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost = err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.removeListener('error', onError);
    // A lost connection is destroyed, not returned to the pool.
    client.release(lost);
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
