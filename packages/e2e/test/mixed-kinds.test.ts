// Batches that mix snapshot and image requests on both simulators, through the real
// snapshot and image adapters and the orchestrator: one copy per token of each kind, image
// copies whose replies are lost found again by their token, and each kind held to its own
// per-region limit. Verdicts come from the simulators' own state.
import { type CopierEntry, CopyOrchestrator, MemoryCopyJournal } from '@snapcopy/orchestrator';
import type { Ec2Simulator, EcsSimulator, SimHandler, SimNockMount } from '@snapcopy/testkit';
import { VirtualClock } from '@snapcopy/testkit';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertOneCopyPerToken,
  imageCopies,
  isImageItem,
  type MixedClouds,
  mixedClouds,
} from './mixed-clouds.js';

const ONE_ATTEMPT = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
const RETRY = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 10_000 };

const cleanups: (() => void)[] = [];
beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
  nock.cleanAll();
  nock.enableNetConnect();
});

const CLOUDS = [
  { copier: 'aws', sim: (c: MixedClouds): Ec2Simulator | EcsSimulator => c.ec2 },
  { copier: 'alibaba', sim: (c: MixedClouds): Ec2Simulator | EcsSimulator => c.ecs },
] as const;

function mount(clouds: MixedClouds, through?: (sim: Ec2Simulator | EcsSimulator) => SimHandler) {
  for (const c of CLOUDS) {
    const sim = c.sim(clouds);
    const m: SimNockMount = through ? sim.mountNock(through(sim)) : sim.mountNock();
    cleanups.push(() => m.stop());
  }
}

function orchestrator(clouds: MixedClouds, entries: Record<string, CopierEntry>) {
  const clock = clouds.ec2.clock;
  return new CopyOrchestrator({
    copiers: entries,
    journal: new MemoryCopyJournal({ now: () => clock.now() }),
    clock,
    retry: RETRY,
  });
}

describe('a mixed batch on both simulators', () => {
  it('snapshots and images of both clouds: one copy per token, the right kind and ids in every result', async () => {
    const clock = new VirtualClock();
    const clouds = mixedClouds(clock, { snapshots: 6, images: 4 });
    mount(clouds);
    const items = clouds.mixedItems();
    const result = await orchestrator(clouds, clouds.entries({}, ONE_ATTEMPT)).run(items, {
      batchId: 'mixed',
    });

    expect(result.counts).toMatchObject({ total: 20, completed: 20 });
    for (const r of result.results.filter((x) => x.kind === 'image')) {
      expect(r.destination?.imageId).toMatch(r.copier === 'aws' ? /^ami-/ : /^m-/);
      expect(r.status).toMatchObject({ imageId: r.destination?.imageId, state: 'completed' });
    }
    for (const c of CLOUDS) {
      assertOneCopyPerToken(c.sim(clouds), items, result.results);
      expect(c.sim(clouds).world.requests.count('CopyImage'), c.copier).toBe(4);
      expect(c.sim(clouds).world.requests.count('CopySnapshot'), c.copier).toBe(6);
    }
  });
});

describe.each(CLOUDS)('$copier: an image copy call whose reply is lost', ({ copier, sim }) => {
  it.each(['drop-after', 'reset'] as const)(
    '%s on the first CopyImage: the retry finds or makes the one copy; one image copy per token',
    async (fault) => {
      const clock = new VirtualClock();
      const clouds = mixedClouds(clock, { snapshots: 2, images: 2 });
      mount(clouds);
      sim(clouds).faults.add({ operation: 'CopyImage', kind: fault, times: 1 });
      const items = clouds.mixedItems().filter((i) => i.copier === copier);
      const result = await orchestrator(clouds, clouds.entries({}, ONE_ATTEMPT)).run(items, {
        batchId: 'lost',
      });

      expect(sim(clouds).faults.injected[fault]).toBe(1);
      expect(result.results.map((r) => [r.kind, r.outcome])).toEqual([
        ['snapshot', 'completed'],
        ['image', 'completed'],
        ['snapshot', 'completed'],
        ['image', 'completed'],
      ]);
      // The faulted call reached the cloud; with drop-after it made a copy the caller never heard of.
      const faulted = sim(clouds)
        .world.requests.entries()
        .filter((e) => e.operation === 'CopyImage' && e.fault === fault);
      expect(faulted).toHaveLength(1);
      assertOneCopyPerToken(sim(clouds), items, result.results);
    },
  );
});

/** Peak copies in flight per destination region and kind, sampled after every request the cloud served. */
interface Peaks {
  snapshot: Map<string, number>;
  image: Map<string, number>;
}

/**
 * Wraps a simulator's handler to sample, after each request, the copies in flight per
 * destination region: image copies not finished, and snapshot copies pending that are not
 * an image copy's backing snapshots. In-flight counts only grow on a copy call, so sampling
 * after each request sees every peak.
 */
function sampling(sim: Ec2Simulator | EcsSimulator, peaks: Peaks): SimHandler {
  const raise = (m: Map<string, number>, counts: Map<string, number>) => {
    for (const [region, n] of counts) m.set(region, Math.max(m.get(region) ?? 0, n));
  };
  return {
    handle: async (req) => {
      const res = await sim.handler.handle(req);
      const images = imageCopies(sim);
      const backing = new Set(images.flatMap((i) => i.snapshotIds));
      const imagesInFlight = new Map<string, number>();
      for (const i of images)
        if (!i.done) imagesInFlight.set(i.region, (imagesInFlight.get(i.region) ?? 0) + 1);
      const snapshotsInFlight = new Map<string, number>();
      for (const s of sim.world.snapshots.values()) {
        if (!s.copy || s.state !== 'pending' || backing.has(s.id)) continue;
        snapshotsInFlight.set(s.region, (snapshotsInFlight.get(s.region) ?? 0) + 1);
      }
      raise(peaks.image, imagesInFlight);
      raise(peaks.snapshot, snapshotsInFlight);
      return res;
    },
  };
}

describe('per-kind limits per destination region, each kind its own queue', () => {
  // AWS: 20 concurrent snapshot copies per destination region (EC2's fixed quota) and 300
  // concurrent AMI copies; Alibaba: the adapters' manifests say 10 snapshot copies and 5
  // image copies. 50 snapshot requests spread over two regions saturate the snapshot limit
  // in both; the image requests all go to one region.
  it.each([
    { copier: 'aws', snapshotLimit: 20, imageLimit: 300, images: 30, peakImages: 30 },
    { copier: 'alibaba', snapshotLimit: 10, imageLimit: 5, images: 12, peakImages: 5 },
  ] as const)(
    '$copier: snapshots at $snapshotLimit per region, images at min($images, $imageLimit): neither takes the other’s slots',
    async ({ copier, snapshotLimit, images, peakImages }) => {
      const clock = new VirtualClock();
      const clouds = mixedClouds(clock, { snapshots: 50, images, oneDestination: true });
      const peaks: Record<string, Peaks> = {
        aws: { snapshot: new Map(), image: new Map() },
        alibaba: { snapshot: new Map(), image: new Map() },
      };
      mount(clouds, (sim) => sampling(sim, peaks[sim.world.cloud === 'ec2' ? 'aws' : 'alibaba']!));
      const items = clouds.mixedItems().filter((i) => i.copier === copier);
      const imageRegion = (items.find(isImageItem)!.request.destination as { region: string }).region;
      const result = await orchestrator(clouds, clouds.entries({}, ONE_ATTEMPT)).run(items, {
        batchId: 'limits',
      });

      expect(result.counts).toMatchObject({ total: 50 + images, completed: 50 + images });
      const peak = peaks[copier]!;
      // Both snapshot regions reach the snapshot limit exactly, while image copies run: the
      // image queue takes none of the snapshot slots, and snapshots never pass the limit.
      expect([...peak.snapshot.values()]).toEqual([snapshotLimit, snapshotLimit]);
      // Image copies run at their own limit (AWS: more at once than the snapshot limit).
      expect(peak.image.get(imageRegion)).toBe(peakImages);
      // The cloud refused no copy call (no limit error, nothing throttled).
      const refused = clouds[copier === 'aws' ? 'ec2' : 'ecs'].world.requests
        .entries()
        .filter((e) => e.operation.startsWith('Copy') && e.httpStatus >= 400);
      expect(refused.map((e) => `${e.operation} ${e.httpStatus} ${e.errorCode}`)).toEqual([]);
      assertOneCopyPerToken(copier === 'aws' ? clouds.ec2 : clouds.ecs, items, result.results);
    },
  );

  it('aws: an entry override lowers the image limit to 3; snapshots still run 20 at once', async () => {
    const clock = new VirtualClock();
    const clouds = mixedClouds(clock, {
      snapshots: 50,
      images: 10,
      oneDestination: true,
      ec2ImageCopyLimit: 3,
    });
    const peaks: Peaks = { snapshot: new Map(), image: new Map() };
    mount(clouds, (sim) => (sim.world.cloud === 'ec2' ? sampling(sim, peaks) : sim.handler));
    const items = clouds.mixedItems().filter((i) => i.copier === 'aws');
    const entries = clouds.entries({}, ONE_ATTEMPT);
    const result = await orchestrator(clouds, {
      aws: { ...entries.aws, maxConcurrentImageCopiesPerRegion: 3 },
    }).run(items, { batchId: 'lowered' });
    expect(result.counts).toMatchObject({ total: 60, completed: 60 });
    expect([...peaks.snapshot.values()]).toEqual([20, 20]);
    expect([...peaks.image.values()]).toEqual([3]);
    // The simulator, at 3 AMI copies per region, refused none.
    expect(
      clouds.ec2.world.requests.entries().filter((e) => e.operation === 'CopyImage' && e.httpStatus >= 400),
    ).toEqual([]);
    assertOneCopyPerToken(clouds.ec2, items, result.results);
  });
});
