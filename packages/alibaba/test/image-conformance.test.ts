// The ImageCopier conformance suite against the Alibaba ECS image adapter, talking to the ECS
// simulator through the real @alicloud/ecs20140526 client: once through nock, once through
// the simulator's 127.0.0.1 server. The harness maps the suite's neutral contract onto the
// simulator's own state; nothing here goes through the adapter.
import {
  ECS_IMAGE_OPERATIONS,
  ecsImageTruth,
  type ImageConformanceHarness,
  type SourceImageSpec,
  simulatorFaults,
} from '@snapcopy/testkit';
import { runImageCopierConformance } from '@snapcopy/testkit/conformance';
import { createAlibabaImageCopier } from '../src/index.js';
import { CALLER, makeEcsConformanceWorld, OTHER, REGIONS } from './support/conformance-world.js';

/** A fresh ECS simulator and Alibaba image copier for one test. */
async function makeAlibabaImageHarness(mounting: 'nock' | 'server'): Promise<ImageConformanceHarness> {
  const { clock, sim, mounted, sentinelSecret, logger, lines, customer, keys, resolveKey } =
    await makeEcsConformanceWorld(mounting);
  const makeCopier = (credentials: { accessKeyId: string; accessKeySecret: string }) =>
    createAlibabaImageCopier({
      credentials,
      clock,
      logger,
      requestTimeoutMs: 5_000,
      ...(mounted.endpoint ? { endpoint: mounted.endpoint } : {}),
    });
  let n = 0;
  return {
    copier: makeCopier(sim.credentials(CALLER)),
    sentinelSecret,
    logs: lines,
    fixtures: {
      regions: REGIONS,
      otherAccountId: OTHER,
      createSourceImage({
        region = REGIONS[0],
        disks = [{}],
        ownership = 'owned',
        tags,
      }: SourceImageSpec = {}) {
        const shared = ownership === 'shared';
        const account = shared ? OTHER : CALLER;
        const snapshots = disks.map(({ sizeGiB = 1, key = 'none' }) => {
          if (shared && key === 'customer')
            throw new Error('the shared fixture has no customer key of the owner');
          return sim.addSnapshot({
            account,
            region,
            sizeGiB,
            diskSizeGiB: Math.max(sizeGiB, 20),
            ...(key === 'none' ? { encrypted: false } : { encrypted: true }),
            ...(key === 'customer' ? { kmsKeyId: customer.get(region)! } : {}),
          });
        });
        const image = sim.addImage({
          account,
          region,
          name: `conformance-${++n}`,
          snapshotIds: snapshots.map((s) => s.id),
          ...(tags ? { tags } : {}),
          ...(shared ? { sharedWith: [CALLER] } : {}),
        });
        return {
          ref: { region, imageId: image.id, ...(shared ? { account: OTHER } : {}) },
          snapshots: snapshots.map((s) => ({
            snapshotId: s.id,
            encrypted: s.encrypted,
            ...(s.kmsKeyId === undefined ? {} : { kmsKeyId: s.kmsKeyId }),
            sizeGiB: s.sizeGiB,
          })),
        };
      },
      keys,
      missingImageId: () => 'm-conformancemissing0',
    },
    truth: ecsImageTruth(sim, resolveKey),
    time: { mode: 'virtual', advance: (ms) => clock.advance(ms) },
    faults: simulatorFaults(sim.faults, ECS_IMAGE_OPERATIONS),
    makeCopierWithBadCredentials: () =>
      makeCopier({ accessKeyId: 'LTAI5tConformanceUnknown', accessKeySecret: sentinelSecret }),
    async close() {
      await mounted.close();
    },
  };
}

for (const mounting of ['nock', 'server'] as const) {
  runImageCopierConformance({
    name: `alibaba (ECS simulator via ${mounting})`,
    makeHarness: () => makeAlibabaImageHarness(mounting),
  });
}
