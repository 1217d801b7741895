import { DBOSClient } from '@dbos-inc/dbos-sdk';
import { type Logger, silentLogger } from '@snapcopy/core';
import type pg from 'pg';
import { dbosLogger } from './dbos-logger.js';
import { APPLICATION_NAME } from './names.js';
import { createPool, withSessionOptions } from './pg.js';
import { migrateDatabase } from './schema.js';

/** A client's connections to the deployment's database: a pool for snapcopy's tables and a DBOS client. */
export interface EngineConnection {
  readonly pool: pg.Pool;
  readonly client: DBOSClient;
  close(): Promise<void>;
}

/**
 * Connects a client (a submitter, a follower, an operator) to the database. With
 * `migrate`, the tables are created first if missing (a client may come before any worker).
 */
export async function connectEngine(
  databaseUrl: string,
  options: { migrate?: boolean; logger?: Logger } = {},
): Promise<EngineConnection> {
  const logger = options.logger ?? silentLogger;
  if (options.migrate) await migrateDatabase(databaseUrl, logger);
  const pool = createPool(databaseUrl, {
    max: 3,
    onError: (err) => logger.warn('database connection lost', { error: err.message }),
  });
  const dbosPool = createPool(databaseUrl, {
    max: 2,
    forDbos: true,
    onError: (err) => logger.warn('database connection lost', { error: err.message }),
  });
  try {
    const client = await DBOSClient.create({
      systemDatabaseUrl: withSessionOptions(databaseUrl),
      systemDatabasePool: dbosPool,
      applicationName: APPLICATION_NAME,
      logger: dbosLogger(logger),
    });
    return {
      pool,
      client,
      close: async () => {
        await client.destroy().catch(() => undefined);
        await dbosPool.end().catch(() => undefined);
        await pool.end().catch(() => undefined);
      },
    };
  } catch (err) {
    await dbosPool.end().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw err;
  }
}
