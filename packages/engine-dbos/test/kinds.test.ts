// A batch that mixes snapshot and image requests on a worker: each runs as a copy workflow
// on its copier's queue of that kind, one copy per token of each kind, the kind and its own
// ids in the results and the PostgreSQL journal. Verdicts come from the reference cloud's
// own state and log.
import type { ImageCopyRequestInput } from '@snapcopy/core';
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
import type { BatchItem } from '@snapcopy/orchestrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copiesPerToken,
  copyCalls,
  DESTINATION,
  databaseName,
  referenceWorld,
  SOURCE_REGION,
  testWorkerOptions,
  type World,
} from './support/world.js';

let server: TestPostgres;
let world: World;
let worker: Worker;
let conn: EngineConnection;

const entry = () => ({ copier: world.makeCopier(), imageCopier: world.makeImageCopier() });

beforeAll(async () => {
  server = await startTestPostgres();
  const url = server.url(databaseName('kinds'));
  world = referenceWorld();
  worker = await startWorker(testWorkerOptions(world, url, 'kinds-w1', { copiers: { ref: entry() } }));
  conn = await connectEngine(url);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await conn?.close();
  await server?.stop();
}, 60_000);

/** The image copies the cloud holds, per client token. */
function imageCopiesPerToken(): Map<string, string[]> {
  world.cloud.world.advance();
  const out = new Map<string, string[]>();
  for (const image of world.cloud.images.images.values()) {
    const token = image.copy?.clientToken;
    if (token !== undefined) out.set(token, [...(out.get(token) ?? []), image.id]);
  }
  return out;
}

describe('a batch mixing snapshots and images on a worker', () => {
  it('runs each request on its kind of copier: one copy per token; a second submit makes none', async () => {
    const snapshots = world.requests(4);
    const images = Array.from(
      { length: 3 },
      (): ImageCopyRequestInput => ({
        source: { region: SOURCE_REGION, imageId: world.imageSource(3) },
        destination: { region: DESTINATION },
      }),
    );
    const items: BatchItem[] = [...snapshots, ...images].map((request) => ({ copier: 'ref', request }));
    const submit = () =>
      submitBatch({
        pool: conn.pool,
        client: conn.client,
        copiers: { ref: entry() },
        items,
        batchId: 'mixed',
        clock: world.clock,
      });
    expect(await submit()).toMatchObject({ size: 7, enqueued: 7, refused: 0 });
    const result = await followBatch({ pool: conn.pool, batchId: 'mixed', pollMs: 50 });

    expect(result.results.map((r) => [r.kind, r.outcome])).toEqual([
      ...Array(4).fill(['snapshot', 'completed']),
      ...Array(3).fill(['image', 'completed']),
    ]);
    const snapshotCopies = copiesPerToken(world.cloud);
    const imageCopies = imageCopiesPerToken();
    expect(imageCopies.size).toBe(3);
    for (const r of result.results) {
      if (r.kind === 'snapshot') {
        expect(snapshotCopies.get(r.clientToken)?.map((s) => s.id)).toEqual([r.destination?.snapshotId]);
      } else {
        expect(imageCopies.get(r.clientToken)).toEqual([r.destination?.imageId]);
        expect(r.destination).not.toHaveProperty('snapshotId');
      }
    }
    const calls = (op: string) =>
      world.cloud.world.requests.entries().filter((e) => e.operation === op).length;
    expect(calls('CopyImage')).toBe(3);
    expect(copyCalls(world.cloud)).toBe(4);

    // The PostgreSQL journal: each entry's kind and its destination by that kind's id.
    const entries = await new PgCopyJournal(conn.pool).listEntries('mixed');
    expect(entries.map((e) => [e.kind, e.destination])).toEqual(
      result.results.map((r) => [r.kind, r.destination]),
    );

    // Submitted again: nothing enqueued, no call, the same results.
    expect(await submit()).toMatchObject({ resumed: true, enqueued: 0 });
    const again = await followBatch({ pool: conn.pool, batchId: 'mixed', pollMs: 50 });
    expect(again.results.map((r) => r.destination)).toEqual(result.results.map((r) => r.destination));
    expect([calls('CopyImage'), copyCalls(world.cloud)]).toEqual([3, 4]);
    expect([...imageCopiesPerToken().values()].map((ids) => ids.length)).toEqual([1, 1, 1]);
  }, 60_000);
});
