import type { SnapshotRef } from '@snapcopy/core';
import { caseGroup, type ConformanceCase } from '../case.js';
import type { ConformanceHarness } from '../harness.js';
import {
  check,
  mustExist,
  plainCopy,
  recorded,
  requestMark,
  requestsSince,
  startPlain,
  waitFor,
} from '../support.js';

async function sources(h: ConformanceHarness, region: string, n: number): Promise<SnapshotRef[]> {
  const refs: SnapshotRef[] = [];
  for (let i = 0; i < n; i++) {
    const s = await h.fixtures.createSource({ region });
    refs.push({ region, snapshotId: s.ref.snapshotId });
  }
  return refs;
}

/** Reads during one status call: the suite counts every request, whatever the harness calls it. */
async function readsDuring<T>(
  h: ConformanceHarness,
  work: () => Promise<T>,
): Promise<{ result: T; reads: number }> {
  const mark = await requestMark(h);
  const result = await work();
  return { result, reads: (await requestsSince(h, mark)).length };
}

/** Status reads: batched by the manifest's limit, and true to the cloud. */
export const statusCases: readonly ConformanceCase[] = caseGroup('status', [
  {
    id: 'status.batching',
    name: 'N = 2 × maxIdsPerStatusCall + 1 snapshots are read with at most ceil(N / maxIdsPerStatusCall) requests',
    async run(h, ctx) {
      const limit = h.copier.capabilities.maxIdsPerStatusCall;
      const region = h.fixtures.regions[0];
      const refs = await sources(h, region, 2 * limit + 1);
      const { result, reads } = await readsDuring(h, () => recorded(ctx, () => h.copier.status(refs)));
      const bound = Math.ceil(refs.length / limit);
      check(
        reads <= bound,
        `${refs.length} ids took ${reads} requests; at most ${bound} allowed by maxIdsPerStatusCall=${limit}`,
      );
      check(
        result.length === refs.length,
        `status returned ${result.length} results for ${refs.length} refs`,
      );
      result.forEach((s, i) => {
        check(
          s.snapshotId === refs[i]!.snapshotId && s.region === region,
          `result ${i} is for ${s.snapshotId}, not ${refs[i]!.snapshotId}`,
        );
        check(s.state === 'completed', `${s.snapshotId} is a completed snapshot, status says ${s.state}`);
      });
    },
  },
  {
    id: 'status.batching-across-regions',
    name: 'snapshots and running copies in two regions are read with at most one batch per region and limit',
    async run(h, ctx) {
      const limit = h.copier.capabilities.maxIdsPerStatusCall;
      const [first, second] = h.fixtures.regions;
      const copies = [];
      for (let i = 0; i < 2; i++) {
        copies.push(await startPlain(plainCopy, h, ctx, { sizeGiB: 200 }));
      }
      const refs: SnapshotRef[] = [
        ...(await sources(h, first, limit + 1)),
        ...(await sources(h, second, limit + 1)),
        ...copies.map((c) => ({ region: c.region, snapshotId: c.snapshotId })),
      ];
      const perRegion = new Map<string, number>();
      for (const r of refs) perRegion.set(r.region, (perRegion.get(r.region) ?? 0) + 1);
      const bound = [...perRegion.values()].reduce((sum, n) => sum + Math.ceil(n / limit), 0);
      const { result, reads } = await readsDuring(h, () => recorded(ctx, () => h.copier.status(refs)));
      check(
        reads <= bound,
        `${refs.length} ids in ${perRegion.size} regions took ${reads} requests; at most ${bound} allowed`,
      );
      check(result.length === refs.length, 'status must return one result per ref, in order');
      for (const c of copies) {
        const s = result.find((r) => r.snapshotId === c.snapshotId);
        check(s?.state === 'pending', `a copy still running is reported ${s?.state}`);
      }
    },
  },
  {
    id: 'status.reflects-truth',
    name: "status follows the cloud's state: pending while copying, completed with progress 100 after",
    async run(h, ctx) {
      const handle = await startPlain(plainCopy, h, ctx, { sizeGiB: 50 });
      const [running] = await recorded(ctx, () => h.copier.status([handle]));
      const truth = await mustExist(h, handle.region, handle.snapshotId, 'running copy');
      check(
        running!.state === (truth.state === 'pending' ? 'pending' : truth.state),
        `status says ${running!.state}, the cloud ${truth.state}`,
      );
      check(
        running!.progress >= 0 && running!.progress <= 100,
        `progress ${running!.progress} is outside 0-100`,
      );
      await waitFor(h, ctx, handle);
      const [done] = await recorded(ctx, () => h.copier.status([handle]));
      check(
        (await mustExist(h, handle.region, handle.snapshotId, 'done')).state === 'completed',
        'truth: copy not completed',
      );
      check(
        done!.state === 'completed' && done!.progress === 100,
        `a completed copy is reported ${done!.state} at ${done!.progress}%`,
      );
    },
  },
  {
    id: 'status.unknown-id',
    name: 'an id the cloud does not know is reported failed with rawState "absent", not thrown',
    async run(h, ctx) {
      const region = h.fixtures.regions[1];
      const ref = { region, snapshotId: h.fixtures.missingSnapshotId(region) };
      const [s] = await recorded(ctx, () => h.copier.status([ref]));
      check(s?.rawState === 'absent', `an unknown id has rawState ${s?.rawState}`);
      check(s?.state === 'failed', `an unknown id this copier never cancelled is ${s?.state}, not failed`);
    },
  },
]);
