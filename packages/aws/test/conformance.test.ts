// The SnapshotCopier conformance suite against the AWS EBS adapter, talking to the EC2
// simulator through the real @aws-sdk/client-ec2: once through nock, once through the
// simulator's 127.0.0.1 server. The harness below maps the suite's provider-neutral
// contract onto the simulator's state; nothing here goes through the adapter.
import { type ConformanceHarness, simulatorFaults, simWorldTruth } from '@snapcopy/testkit';
import { runSnapshotCopierConformance } from '@snapcopy/testkit/conformance';
import { type AwsEbsSnapshotCopier, createAwsEbsCopier } from '../src/index.js';
import {
  CALLER,
  CUSTOMER_ALIAS,
  makeEc2ConformanceWorld,
  OWNER,
  REGIONS,
  REVOKED_ALIAS,
} from './support/conformance-world.js';

/** A fresh EC2 simulator and AWS copier for one test, mounted through nock or a local server. */
async function makeAwsHarness(mounting: 'nock' | 'server'): Promise<ConformanceHarness> {
  const { clock, sim, mounted, sentinelSecret, logger, lines, keyOf, encryptionFor } =
    await makeEc2ConformanceWorld(mounting);
  const copiers: AwsEbsSnapshotCopier[] = [];
  const makeCopier = (credentials: { accessKeyId: string; secretAccessKey: string }) => {
    const copier = createAwsEbsCopier({
      credentials,
      clock,
      logger,
      ...(mounted.endpoint ? { endpoint: mounted.endpoint } : {}),
    });
    copiers.push(copier);
    return copier;
  };
  const copier = makeCopier(sim.credentials(CALLER));
  const world = sim.world;

  return {
    copier,
    sentinelSecret,
    logs: lines,
    fixtures: {
      regions: REGIONS,
      otherAccountId: OWNER,
      callerAccountId: CALLER,
      createSource({
        region = REGIONS[0],
        sizeGiB = 1,
        key = 'none',
        ownership = 'owned',
        description,
        tags,
      } = {}) {
        const account = ownership === 'shared' ? OWNER : CALLER;
        const encryption = encryptionFor(key, ownership === 'shared');
        const snap = sim.addSnapshot({
          account,
          region,
          sizeGiB,
          volumeSizeGiB: sizeGiB,
          changedGiB: sizeGiB,
          ...encryption,
          ...(ownership === 'shared' ? { sharedWith: [CALLER] } : {}),
          ...(description === undefined ? {} : { description }),
          ...(tags === undefined ? {} : { tags }),
        });
        return {
          ref: { region, snapshotId: snap.id, ...(ownership === 'shared' ? { account: OWNER } : {}) },
          encrypted: snap.encrypted,
          ...(snap.kmsKeyId === undefined ? {} : { kmsKeyId: snap.kmsKeyId }),
          sizeGiB,
        };
      },
      keys: () => ({ customer: CUSTOMER_ALIAS, inaccessible: REVOKED_ALIAS }),
      missingSnapshotId: () => 'snap-0fffffffffffffff0',
    },
    truth: simWorldTruth(world, { resolveKey: (region, ref) => keyOf(ref, region) }),
    time: { mode: 'virtual', advance: (ms) => clock.advance(ms) },
    faults: simulatorFaults(sim.faults),
    makeCopierWithBadCredentials: () =>
      makeCopier({ accessKeyId: 'AKIACONFORMANCEXXXXX', secretAccessKey: sentinelSecret }),
    async close() {
      for (const c of copiers) c.destroy();
      await mounted.close();
    },
  };
}

for (const mounting of ['nock', 'server'] as const) {
  runSnapshotCopierConformance({
    name: `aws (EC2 simulator via ${mounting})`,
    makeHarness: () => makeAwsHarness(mounting),
    // EC2 accepts a copy under an inaccessible key and fails it asynchronously.
    options: { keyFailure: 'async' },
  });
}
