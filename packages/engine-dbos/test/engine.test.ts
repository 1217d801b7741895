// One worker in this process, on a PostgreSQL this file starts, against the reference
// cloud: a batch runs to the end with the same journal facts and events as the in-process
// runner, a second submit makes no new copy, and bad requests fail alone.
import {
  connectEngine,
  type EngineConnection,
  followBatch,
  PgCopyJournal,
  startWorker,
  submitBatch,
  type Worker,
} from '@snapcopy/engine-dbos';
import { startTestPostgres, type TestPostgres } from '@snapcopy/engine-dbos/testing';
import { type BatchEvent, CopyOrchestrator, MemoryCopyJournal } from '@snapcopy/orchestrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copiesPerToken,
  copyCalls,
  databaseName,
  referenceWorld,
  testWorkerOptions,
  type World,
} from './support/world.js';

let server: TestPostgres;
let url: string;
let world: World;
let worker: Worker;
let conn: EngineConnection;
let items: ReturnType<World['requests']>;

beforeAll(async () => {
  server = await startTestPostgres();
  url = server.url(databaseName('engine'));
  world = referenceWorld();
  worker = await startWorker(testWorkerOptions(world, url, 'engine-w1'));
  conn = await connectEngine(url);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await conn?.close();
  await server?.stop();
}, 60_000);

describe('a batch on one worker', () => {
  it('runs every copy to the end, once each, with the in-process runner’s journal facts and events', async () => {
    items = world.requests(8);
    const events: BatchEvent[] = [];
    const submitted = await submitBatch({
      pool: conn.pool,
      client: conn.client,
      copiers: { ref: world.makeCopier() },
      items,
      batchId: 'one',
      clock: world.clock,
    });
    expect(submitted).toMatchObject({ batchId: 'one', resumed: false, size: 8, enqueued: 8, refused: 0 });
    const result = await followBatch({
      pool: conn.pool,
      batchId: 'one',
      pollMs: 50,
      onEvent: (e) => events.push(e),
    });
    expect(result.results.map((r) => r.outcome)).toEqual(Array(8).fill('completed'));
    const perToken = copiesPerToken(world.cloud);
    for (const r of result.results) {
      const copies = perToken.get(r.clientToken) ?? [];
      expect(copies.map((c) => c.id)).toEqual([r.destination?.snapshotId]);
      expect(copies[0]!.state).toBe('completed');
    }
    expect(copyCalls(world.cloud)).toBe(8);

    // The same requests through the in-process runner, on a fresh cloud.
    const other = referenceWorld();
    const journal = new MemoryCopyJournal({ now: () => other.clock.now() });
    const inProcessEvents: BatchEvent[] = [];
    await new CopyOrchestrator({
      copiers: { ref: other.makeCopier() },
      journal,
      clock: other.clock,
      poll: { minIntervalMs: 2_000, maxIntervalMs: 20_000 },
    }).run(
      items.map((r) => ({ ...r, source: { ...r.source, snapshotId: other.source(2) } })),
      { batchId: 'one', onEvent: (e) => inProcessEvents.push(e) },
    );
    const facts = (e: {
      state: string;
      attempts: number;
      clientToken: string;
      plan?: unknown;
      destination?: { region: string };
      error?: unknown;
    }) => ({
      state: e.state,
      attempts: e.attempts,
      clientToken: e.clientToken,
      planned: e.plan !== undefined,
      region: e.destination?.region,
      error: e.error,
    });
    const engineJournal = new PgCopyJournal(conn.pool);
    expect((await engineJournal.listEntries('one')).map(facts)).toEqual(
      (await journal.listEntries('one')).map(facts),
    );
    // Per copy, the same kinds of events in the same order (progress reads may differ in number).
    const kinds = (list: BatchEvent[], index: number) =>
      list.filter((e) => 'index' in e && e.index === index && e.type !== 'copy-progress').map((e) => e.type);
    for (let i = 0; i < 8; i++) expect(kinds(events, i)).toEqual(kinds(inProcessEvents, i));
    expect(events.at(-1)?.type).toBe('batch-finished');
    expect(events.some((e) => e.type === 'copy-progress')).toBe(true);
  }, 60_000);

  it('a second submit of the same batch makes no new copy and reports the same results', async () => {
    const before = copyCalls(world.cloud);
    const again = await submitBatch({
      pool: conn.pool,
      client: conn.client,
      copiers: { ref: world.makeCopier() },
      items,
      batchId: 'one',
      clock: world.clock,
    });
    expect(again).toMatchObject({ resumed: true, enqueued: 0 });
    const result = await followBatch({ pool: conn.pool, batchId: 'one', pollMs: 50 });
    expect(result.counts.completed).toBe(8);
    expect(copyCalls(world.cloud)).toBe(before);
  }, 30_000);
});
