// 1,000 copies across both simulators while 16% of all requests fail in one of four
// ways. The verdict comes from the simulators' own state: every copy made exactly once,
// none missing, all finished.
import { CopyOrchestrator, copyIdOf } from '@snapcopy/orchestrator';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '@snapcopy/testkit';
import { copiesByToken, twoClouds } from './two-clouds.js';

const PER_CLOUD = 500;
const CHAOS = { throttle: 0.1, 'server-error': 0.03, 'drop-after': 0.02, reset: 0.01 } as const;

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('orchestrator chaos: 1,000 copies, both simulators, faults on every operation', () => {
  it('ends every copy terminal, with zero duplicates and zero lost, per the simulators', async () => {
    const clock = new VirtualClock();
    const clouds = twoClouds(clock, PER_CLOUD, { faultSeed: 20260101 });
    const mounts = [clouds.ec2.mountNock(), clouds.ecs.mountNock()];
    clouds.ec2.faults.chaos(CHAOS);
    clouds.ecs.faults.chaos(CHAOS);
    const items = clouds.items();
    const startedAt = clock.now();
    try {
      const orchestrator = new CopyOrchestrator({ copiers: clouds.copiers(), clock });
      const result = await orchestrator.run(items, { batchId: 'chaos' });

      // The faults really happened, of every kind, in both clouds.
      for (const sim of [clouds.ec2, clouds.ecs]) {
        for (const kind of Object.keys(CHAOS) as (keyof typeof CHAOS)[]) {
          expect(sim.faults.injected[kind], `${sim.world.cloud} ${kind}`).toBeGreaterThan(0);
        }
      }

      // Every request ended, and the orchestrator says completed.
      expect(result.results).toHaveLength(2 * PER_CLOUD);
      const notCompleted = result.results.filter((r) => r.outcome !== 'completed');
      expect(notCompleted.map((r) => `${r.index}:${r.outcome}:${r.error?.code}:${r.error?.message}`)).toEqual(
        [],
      );

      // Now the clouds' word. One copy per token, the one the result names, finished.
      for (const [sim, copier] of [
        [clouds.ec2, 'aws'],
        [clouds.ecs, 'alibaba'],
      ] as const) {
        sim.world.advance();
        const byToken = copiesByToken(sim.world);
        const ours = result.results.filter((r) => r.copier === copier);
        const duplicates = [...byToken].filter(([, copies]) => copies.length > 1).map(([t]) => t);
        expect(duplicates, `${copier} duplicates`).toEqual([]);
        expect(byToken.size, `${copier}: copies in the cloud`).toBe(ours.length);
        expect(sim.world.deleted.size).toBe(0);
        for (const r of ours) {
          const [copy] = byToken.get(r.clientToken) ?? [];
          expect(copy, `${copier} lost ${r.clientToken}`).toBeDefined();
          expect(copy!.id).toBe(r.destination && copyIdOf(r.destination));
          expect(copy!.region).toBe(r.destination?.region);
          expect(copy!.state).toBe('completed');
        }
      }

      // Bounded: the provider calls stay within a small multiple of the work, and virtual
      // time within a small multiple of the fault-free makespan (about 25 waves × 1-4 min).
      const requests = clouds.ec2.world.requests.size + clouds.ecs.world.requests.size;
      expect(requests).toBeLessThan(2 * PER_CLOUD * 12);
      expect(clock.now() - startedAt).toBeLessThan(6 * 3600_000);
    } finally {
      for (const m of mounts) m.stop();
    }
  }, 180_000);
});
