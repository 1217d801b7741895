// `DBOS.migrate` logs to the console; the same migration with a logger of our own comes
// from the package's internals (pinned exactly; every test that starts a worker runs it).
import { migrateSystemDatabase } from '@dbos-inc/dbos-sdk/internal/system_database';
import { GlobalLogger } from '@dbos-inc/dbos-sdk/internal/telemetry/logs';
import { type Logger, SnapcopyError, silentLogger } from '@snapcopy/core';
import { dbosLogger } from './dbos-logger.js';
import pg from 'pg';
import { SCHEMA } from './names.js';
import { PG_CODES, pgCode, redactDatabaseUrl, withSessionOptions } from './pg.js';

/**
 * The version of snapcopy's own tables; a database with a newer one is refused.
 * 1: snapshot copies only. 2: copies say their `kind`; a tracked image copy's id is in
 * `tracking.image_id` (`snapshot_id` empty). The change is additive, so workers of version 1
 * keep running their snapshot copies while they are replaced.
 */
export const SCHEMA_VERSION = 2;

/**
 * snapcopy's tables, beside DBOS's own (schema `dbos`). Times written by the engine are
 * epoch ms of the engine's clock (`bigint`); times that judge liveness (heartbeats, the
 * tracker's lease) are the database's own `now()`, so workers' clocks never disagree.
 */
const DDL = `
CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_version (
  one int PRIMARY KEY DEFAULT 1 CHECK (one = 1),
  version int NOT NULL
);
-- The journal: the same facts the in-process runner's journal keeps.
CREATE TABLE IF NOT EXISTS ${SCHEMA}.batches (
  batch_id   text PRIMARY KEY,
  created_at bigint NOT NULL,
  size       int NOT NULL
);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.copies (
  batch_id     text NOT NULL REFERENCES ${SCHEMA}.batches (batch_id),
  idx          int NOT NULL,
  copier       text NOT NULL,
  client_token text NOT NULL,
  request      jsonb NOT NULL,
  state        text NOT NULL,
  plan         jsonb,
  destination  jsonb,
  attempts     int NOT NULL DEFAULT 0,
  error        jsonb,
  updated_at   bigint NOT NULL,
  -- The engine's: which workflow runs it (0: the client token; n: a continuation), and
  -- the result its last workflow ended with.
  run          int NOT NULL DEFAULT 0,
  result       jsonb,
  -- What it copies: 'snapshot' or 'image' (its request, plan and destination are of that kind).
  kind         text NOT NULL DEFAULT 'snapshot',
  PRIMARY KEY (batch_id, idx)
);
CREATE INDEX IF NOT EXISTS copies_unfinished ON ${SCHEMA}.copies (batch_id, idx)
  WHERE state NOT IN ('completed', 'failed', 'cancelled');
CREATE TABLE IF NOT EXISTS ${SCHEMA}.batch_leases (
  batch_id     text PRIMARY KEY,
  owner_id     text NOT NULL,
  pid          int NOT NULL,
  host         text NOT NULL,
  acquired_at  bigint NOT NULL,
  heartbeat_at bigint NOT NULL
);
-- What a batch reported, for whoever follows it (the same events as the in-process runner).
CREATE TABLE IF NOT EXISTS ${SCHEMA}.events (
  seq      bigserial PRIMARY KEY,
  batch_id text NOT NULL,
  idx      int,
  type     text NOT NULL,
  body     jsonb NOT NULL,
  at       bigint NOT NULL,
  -- A step that runs again (at-least-once) writes its events again under the same key.
  dedupe   text UNIQUE
);
CREATE INDEX IF NOT EXISTS events_by_batch ON ${SCHEMA}.events (batch_id, seq);
-- Copies being tracked: the tracker reads them per partition, one status call per round.
CREATE TABLE IF NOT EXISTS ${SCHEMA}.tracking (
  workflow_id  text PRIMARY KEY,
  batch_id     text NOT NULL,
  idx          int NOT NULL,
  copier       text NOT NULL,
  partition    text NOT NULL,
  region       text NOT NULL,
  -- The tracked copy: a snapshot's id, or an image's (by kind; the other is empty).
  kind         text NOT NULL DEFAULT 'snapshot',
  snapshot_id  text,
  image_id     text,
  -- tracking: read by the tracker; delivered: a status was sent, the workflow has not re-armed.
  state        text NOT NULL,
  seq          int NOT NULL DEFAULT 1,
  sample       jsonb,
  size_gib     double precision NOT NULL DEFAULT 1,
  started_at   bigint
);
CREATE INDEX IF NOT EXISTS tracking_by_partition ON ${SCHEMA}.tracking (partition) WHERE state = 'tracking';
CREATE TABLE IF NOT EXISTS ${SCHEMA}.partitions (
  partition       text PRIMARY KEY,
  next_poll_at    bigint,
  last_poll_at    bigint,
  status_failures int NOT NULL DEFAULT 0,
  strikes         int NOT NULL DEFAULT 0,
  paused_until    bigint NOT NULL DEFAULT 0,
  durations       jsonb NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.tracker_lease (
  one        int PRIMARY KEY DEFAULT 1 CHECK (one = 1),
  holder     text,
  expires_at timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO ${SCHEMA}.tracker_lease (one) VALUES (1) ON CONFLICT DO NOTHING;
-- From version 1 (snapshots only): additive, so that running version-1 workers are unaffected.
ALTER TABLE ${SCHEMA}.copies ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'snapshot';
ALTER TABLE ${SCHEMA}.tracking ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'snapshot';
ALTER TABLE ${SCHEMA}.tracking ADD COLUMN IF NOT EXISTS image_id text;
ALTER TABLE ${SCHEMA}.tracking ALTER COLUMN snapshot_id DROP NOT NULL;
-- Workers: heartbeats and takeovers.
CREATE TABLE IF NOT EXISTS ${SCHEMA}.executors (
  executor_id   text PRIMARY KEY,
  app_version   text NOT NULL,
  host          text,
  pid           int,
  started_at    timestamptz NOT NULL DEFAULT now(),
  last_beat     timestamptz NOT NULL DEFAULT now(),
  taken_over_by text,
  taken_over_at timestamptz,
  recovered     int NOT NULL DEFAULT 0
);
-- Policies the workers run on a schedule.
CREATE TABLE IF NOT EXISTS ${SCHEMA}.policies (
  policy_id  text PRIMARY KEY,
  document   jsonb NOT NULL,
  schedule   text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;

/** The advisory lock every migration takes, so that workers started at once migrate one at a time. */
const MIGRATION_LOCK = 'snapcopy.migrate';

/** A client whose connection errors fail its queries instead of ending the process. */
function guarded(client: pg.Client): pg.Client {
  client.on('error', () => undefined);
  return client;
}

/** Connects to `url`, creating its database first if it does not exist (races tolerated). */
async function connectCreating(url: string): Promise<pg.Client> {
  const client = guarded(new pg.Client({ connectionString: withSessionOptions(url) }));
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    if (pgCode(err) !== PG_CODES.undefinedDatabase) throw unreachable(url, err);
  }
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.slice(1));
  parsed.pathname = '/postgres';
  const admin = guarded(new pg.Client({ connectionString: withSessionOptions(parsed.toString()) }));
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } catch (err) {
    const code = pgCode(err);
    if (code !== PG_CODES.duplicateDatabase && code !== PG_CODES.uniqueViolation) throw unreachable(url, err);
  } finally {
    await admin.end().catch(() => undefined);
  }
  const retry = guarded(new pg.Client({ connectionString: withSessionOptions(url) }));
  await retry.connect();
  return retry;
}

function unreachable(url: string, err: unknown): SnapcopyError {
  return new SnapcopyError(
    'PROVIDER_ERROR',
    `cannot use the database ${redactDatabaseUrl(url)}: ${(err as Error)?.message ?? String(err)}`,
    { cause: err, retryable: true },
  );
}

/**
 * Creates or upgrades everything the engine needs in the database: the database itself if
 * missing, DBOS's system tables (`DBOS.migrate`) and snapcopy's. Safe to run from many
 * processes at once: they take one advisory lock in turn (DBOS's own migrations race when
 * first launches run concurrently). Workers run it before launching; deployments may run it
 * once ahead (`snapcopy worker --migrate-only`) with a role that may run DDL.
 */
export async function migrateDatabase(url: string, logger: Logger = silentLogger): Promise<void> {
  const client = await connectCreating(url);
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
    try {
      const current = await schemaVersion(client);
      if (current !== undefined && current > SCHEMA_VERSION) {
        throw new SnapcopyError(
          'INVALID_REQUEST',
          `the database ${redactDatabaseUrl(url)} holds snapcopy tables of version ${current}, newer than this snapcopy's ${SCHEMA_VERSION}: upgrade snapcopy`,
        );
      }
      await migrateSystemDatabase(
        withSessionOptions(url),
        new GlobalLogger(undefined, { logger: dbosLogger(logger, 'warn') }),
        'dbos',
      );
      await client.query(DDL);
      await client.query(
        `INSERT INTO ${SCHEMA}.schema_version (one, version) VALUES (1, $1)
         ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version`,
        [SCHEMA_VERSION],
      );
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function schemaVersion(client: pg.Client): Promise<number | undefined> {
  try {
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${SCHEMA}.schema_version`);
    return rows[0]?.version;
  } catch (err) {
    const code = pgCode(err);
    if (code === PG_CODES.undefinedTable || code === PG_CODES.undefinedSchema) return undefined;
    throw err;
  }
}
