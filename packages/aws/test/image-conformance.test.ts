// The ImageCopier conformance suite against the AWS AMI adapter, talking to the EC2 simulator
// through the real @aws-sdk/client-ec2: once through nock, once through the simulator's
// 127.0.0.1 server. The harness maps the suite's neutral contract onto the simulator's own
// state (images, snapshots, requests); nothing here goes through the adapter.
import {
  EC2_IMAGE_OPERATIONS,
  ec2ImageTruth,
  type ImageConformanceHarness,
  type SourceImageSpec,
  simulatorFaults,
} from '@snapcopy/testkit';
import { runImageCopierConformance } from '@snapcopy/testkit/conformance';
import { type AwsEc2ImageCopier, createAwsImageCopier } from '../src/index.js';
import {
  CALLER,
  CUSTOMER_ALIAS,
  makeEc2ConformanceWorld,
  OWNER,
  REGIONS,
  REVOKED_ALIAS,
} from './support/conformance-world.js';

/** A fresh EC2 simulator and AWS AMI copier for one test. */
async function makeAwsImageHarness(mounting: 'nock' | 'server'): Promise<ImageConformanceHarness> {
  const { clock, sim, mounted, sentinelSecret, logger, lines, keyOf, encryptionFor } =
    await makeEc2ConformanceWorld(mounting);
  const copiers: AwsEc2ImageCopier[] = [];
  const makeCopier = (credentials: { accessKeyId: string; secretAccessKey: string }) => {
    const copier = createAwsImageCopier({
      credentials,
      clock,
      logger,
      ...(mounted.endpoint ? { endpoint: mounted.endpoint } : {}),
    });
    copiers.push(copier);
    return copier;
  };
  let n = 0;
  return {
    copier: makeCopier(sim.credentials(CALLER)),
    sentinelSecret,
    logs: lines,
    fixtures: {
      regions: REGIONS,
      otherAccountId: OWNER,
      createSourceImage({
        region = REGIONS[0],
        disks = [{}],
        ownership = 'owned',
        tags,
      }: SourceImageSpec = {}) {
        const shared = ownership === 'shared';
        const account = shared ? OWNER : CALLER;
        const snapshots = disks.map(({ sizeGiB = 1, key = 'none' }) =>
          sim.addSnapshot({
            account,
            region,
            sizeGiB,
            volumeSizeGiB: sizeGiB,
            changedGiB: sizeGiB,
            ...encryptionFor(key, shared),
            // A shared AMI is copied only with its snapshots shared too.
            ...(shared ? { sharedWith: [CALLER] } : {}),
          }),
        );
        const image = sim.addImage({
          account,
          region,
          name: `conformance-${++n}-${snapshots[0]!.id}`,
          snapshotIds: snapshots.map((s) => s.id),
          ...(tags ? { tags } : {}),
          ...(shared ? { launchPermissions: [CALLER] } : {}),
        });
        return {
          ref: { region, imageId: image.id, ...(shared ? { account: OWNER } : {}) },
          snapshots: snapshots.map((s) => ({
            snapshotId: s.id,
            encrypted: s.encrypted,
            ...(s.kmsKeyId === undefined ? {} : { kmsKeyId: s.kmsKeyId }),
            sizeGiB: s.sizeGiB,
          })),
        };
      },
      keys: () => ({ customer: CUSTOMER_ALIAS, inaccessible: REVOKED_ALIAS }),
      missingImageId: () => 'ami-0fffffffffffffff0',
    },
    truth: ec2ImageTruth(sim, (region, ref) => keyOf(ref, region)),
    time: { mode: 'virtual', advance: (ms) => clock.advance(ms) },
    faults: simulatorFaults(sim.faults, EC2_IMAGE_OPERATIONS),
    makeCopierWithBadCredentials: () =>
      makeCopier({ accessKeyId: 'AKIACONFORMANCEXXXXX', secretAccessKey: sentinelSecret }),
    async close() {
      for (const c of copiers) c.destroy();
      await mounted.close();
    },
  };
}

for (const mounting of ['nock', 'server'] as const) {
  runImageCopierConformance({
    name: `aws (EC2 simulator via ${mounting})`,
    makeHarness: () => makeAwsImageHarness(mounting),
  });
}
