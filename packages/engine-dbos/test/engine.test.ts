// One worker in this process, on a PostgreSQL this file starts, against the reference
// cloud: a batch runs to the end with the same journal facts and events as the in-process
// runner, a second submit makes no new copy, and bad requests fail alone.
import {
  COPY_WORKFLOW,
  connectEngine,
  copyQueueName,
  type EngineConnection,
  followBatch,
  PgCopyJournal,
  POLICY_WORKFLOW,
  partitionOf,
  recoverExecutorWorkflows,
  runPolicyOnce,
  schedulePolicy,
  startWorker,
  submitBatch,
  WORKFLOW_VERSION,
  unschedulePolicy,
  type Worker,
} from '@snapcopy/engine-dbos';
import { parsePolicyDocument } from '@snapcopy/policy';
import { startTestPostgres, type TestPostgres } from '@snapcopy/engine-dbos/testing';
import { type BatchEvent, CopyOrchestrator, copyIdOf, MemoryCopyJournal } from '@snapcopy/orchestrator';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  copiesPerToken,
  copyCalls,
  databaseName,
  OTHER_DESTINATION,
  peakPending,
  referenceWorld,
  SOURCE_REGION,
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
  worker = await startWorker(
    testWorkerOptions(world, url, 'engine-w1', {
      copiers: {
        ref: world.makeCopier(),
        // Two copies at a time per destination account and region.
        lim: { copier: world.makeCopier(), maxConcurrentCopiesPerRegion: 2 },
        // Named after its provider, as a policy's copiers are.
        reference: world.makeCopier(),
      },
    }),
  );
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
      expect(copies.map((c) => c.id)).toEqual([r.destination && copyIdOf(r.destination)]);
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

describe('the lifecycle rules on the workers', () => {
  it('a request the copier refuses fails alone at submit, before any workflow or provider call', async () => {
    const before = world.cloud.world.requests.size;
    const [good] = world.requests(1);
    const submitted = await submitBatch({
      pool: conn.pool,
      client: conn.client,
      copiers: { ref: world.makeCopier() },
      items: [good!, { source: { region: SOURCE_REGION, snapshotId: 'snap-x' }, destination: {} } as never],
      batchId: 'refused',
      clock: world.clock,
    });
    expect(submitted).toMatchObject({ enqueued: 1, refused: 1 });
    const result = await followBatch({ pool: conn.pool, batchId: 'refused', pollMs: 50 });
    expect(result.results.map((r) => r.outcome)).toEqual(['completed', 'failed']);
    expect(result.results[1]!.error).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((await conn.client.listWorkflows({ workflowIDs: ['refused.1'] })).length).toBe(0);
    expect(copyCalls(world.cloud) - copyCallsBefore(before)).toBe(1);
  }, 30_000);

  it('a copy whose reply was lost is looked up, found and tracked: one copy, no second call', async () => {
    world.cloud.faults.dropResponseNext('CopySnapshot');
    const events: BatchEvent[] = [];
    await submitBatch({
      pool: conn.pool,
      client: conn.client,
      copiers: { ref: world.makeCopier() },
      items: world.requests(1),
      batchId: 'lost',
      clock: world.clock,
    });
    const result = await followBatch({
      pool: conn.pool,
      batchId: 'lost',
      pollMs: 50,
      onEvent: (e) => events.push(e),
    });
    const r = result.results[0]!;
    expect(r.outcome).toBe('completed');
    expect(
      copiesPerToken(world.cloud)
        .get(r.clientToken)
        ?.map((c) => c.id),
    ).toEqual([r.destination && copyIdOf(r.destination)]);
    const calls = world.cloud.world.requests
      .entries()
      .filter((e) => e.operation === 'CopySnapshot' && e.params.clientToken === r.clientToken);
    // The copier looked its token up after the lost reply and found the copy it had made.
    expect(calls).toHaveLength(1);
    expect(events.filter((e) => e.type === 'copy-started')).toHaveLength(1);
  }, 30_000);

  it("the partition's limit holds: never more copies in progress per region than the copier's limit", async () => {
    const result = await run('limited', world.requests(6, OTHER_DESTINATION), 'lim');
    expect(result.counts.completed).toBe(6);
    expect(peakPending(world.cloud, OTHER_DESTINATION)).toBe(2);
  }, 60_000);

  it("DBOS's recovery of another executor (its internal export) puts a dead executor's workflow back on its queue and partition", async () => {
    // A workflow that a dead executor left PENDING: enqueued on a queue no worker reads,
    // then marked as that executor's, as DBOS leaves it after a kill.
    const [request] = world.requests(1);
    const journal = new PgCopyJournal(conn.pool, { now: () => world.clock.now() });
    await journal.beginBatch({ batchId: 'ghost', createdAt: world.clock.now(), size: 1 }, [
      {
        index: 0,
        copier: 'ref',
        kind: 'snapshot',
        clientToken: 'ghost.0',
        request: { ...request!, clientToken: 'ghost.0' },
      },
    ]);
    await conn.client.enqueue(
      {
        workflowName: COPY_WORKFLOW,
        queueName: 'nobody-reads-this',
        workflowID: 'ghost.0',
        queuePartitionKey: 'copier:ref/eu-west-1',
        appVersion: WORKFLOW_VERSION,
      },
      { batchId: 'ghost', index: 0, copier: 'ref', partition: partitionOf('ref', request!) },
    );
    await conn.pool.query(
      `UPDATE dbos.workflow_status SET status = 'PENDING', executor_id = 'ghost-executor', queue_name = $2
       WHERE workflow_uuid = $1`,
      ['ghost.0', copyQueueName('ref')],
    );
    expect(await recoverExecutorWorkflows('ghost-executor')).toBe(1);
    // Idempotent: nothing is left to recover.
    expect(await recoverExecutorWorkflows('ghost-executor')).toBe(0);
    const result = await followBatch({
      pool: conn.pool,
      batchId: 'ghost',
      pollMs: 50,
      signal: AbortSignal.timeout(30_000),
    });
    expect(result.results[0]!.outcome).toBe('completed');
    // The journal says completed from the workflow's last step; DBOS records the workflow's
    // own SUCCESS when it returns, a moment later.
    await vi.waitFor(
      async () => {
        const [status] = await conn.client.listWorkflows({ workflowIDs: ['ghost.0'] });
        expect(status).toMatchObject({
          status: 'SUCCESS',
          executorId: 'engine-w1',
          queueName: copyQueueName('ref'),
        });
      },
      { timeout: 10_000, interval: 50 },
    );
  }, 60_000);

  it('a policy pass runs on the workers: its copies as copy workflows, and a second pass copies nothing', async () => {
    const sources = [world.source(3), world.source(4)];
    const policy = parsePolicyDocument({
      version: 1,
      id: 'engine-vault',
      sources: [{ provider: 'reference', regions: [SOURCE_REGION], owner: 'self' }],
      destinations: [{ provider: 'reference', region: OTHER_DESTINATION }],
    });
    const before = copyCalls(world.cloud);
    const first = await runPolicyOnce({ pool: conn.pool, client: conn.client, policy, passId: 'pass-1' });
    expect(first.totals.completed).toBeGreaterThanOrEqual(2);
    expect(first.totals.failed).toBe(0);
    const copied = copiesPerToken(world.cloud);
    for (const s of sources) {
      expect(
        [...copied.values()]
          .flat()
          .filter((c) => c.copy?.sourceSnapshotId === s && c.region === OTHER_DESTINATION),
      ).toHaveLength(1);
    }
    const made = copyCalls(world.cloud) - before;
    const second = await runPolicyOnce({ pool: conn.pool, client: conn.client, policy, passId: 'pass-2' });
    expect(second.totals.copies).toBe(0);
    expect(copyCalls(world.cloud) - before).toBe(made);
  }, 90_000);
});

describe('policies on a schedule', () => {
  it("a scheduled policy's ticks start passes on the workers (DBOS's scheduler), one per tick", async () => {
    const policy = parsePolicyDocument({
      version: 1,
      id: 'engine-ticking',
      sources: [
        { provider: 'reference', regions: [SOURCE_REGION], owner: 'self', descriptionRegex: '^never$' },
      ],
      destinations: [{ provider: 'reference', region: OTHER_DESTINATION }],
    });
    const scheduled = await schedulePolicy({ pool: conn.pool, client: conn.client, policy, everyMs: 2_000 });
    expect(scheduled).toEqual({ scheduleName: 'snapcopy.policy:engine-ticking', cron: '*/2 * * * * *' });
    try {
      const until = Date.now() + 30_000;
      let passes: Awaited<ReturnType<typeof conn.client.listWorkflows>> = [];
      while (Date.now() < until) {
        passes = (
          await conn.client.listWorkflows({ workflowName: POLICY_WORKFLOW, status: 'SUCCESS' })
        ).filter((w) => w.workflowID.includes('engine-ticking'));
        if (passes.length > 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(passes.length).toBeGreaterThan(0);
      expect(passes[0]!.queueName).toBe('snapcopy.policies');
    } finally {
      await unschedulePolicy(conn.client, policy.id);
    }
    expect((await conn.client.listSchedules()).map((s) => s.scheduleName)).not.toContain(
      'snapcopy.policy:engine-ticking',
    );
  }, 60_000);
});

/** Requests before `size` are not counted. */
function copyCallsBefore(size: number): number {
  return world.cloud.world.requests
    .entries()
    .slice(0, size)
    .filter((e) => e.operation === 'CopySnapshot').length;
}

async function run(batchId: string, requests: ReturnType<World['requests']>, copier = 'ref') {
  await submitBatch({
    pool: conn.pool,
    client: conn.client,
    copiers: { [copier]: world.makeCopier() },
    items: requests.map((request) => ({ copier, request })),
    batchId,
    clock: world.clock,
  });
  return followBatch({ pool: conn.pool, batchId, pollMs: 50, signal: AbortSignal.timeout(60_000) });
}
