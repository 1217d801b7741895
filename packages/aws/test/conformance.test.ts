// The SnapshotCopier conformance suite against the AWS EBS adapter, talking to the EC2
// simulator through the real @aws-sdk/client-ec2: once through nock, once through the
// simulator's 127.0.0.1 server. The harness below maps the suite's provider-neutral
// contract onto the simulator's state; nothing here goes through the adapter.
import { randomBytes } from 'node:crypto';
import {
  captureLogger,
  type ConformanceHarness,
  mountSimulator,
  Ec2Simulator,
  type SimKey,
  simulatorFaults,
  simWorldTruth,
  VirtualClock,
} from '@snapcopy/testkit';
import { runSnapshotCopierConformance } from '@snapcopy/testkit/conformance';
import { type AwsEbsSnapshotCopier, createAwsEbsCopier } from '../src/index.js';

const CALLER = '111122223333';
const OWNER = '444455556666';
const REGIONS = ['us-east-1', 'us-west-2'] as const;
const CUSTOMER_ALIAS = 'alias/conformance';
const PARTNER_ALIAS = 'alias/conformance-partner';
const REVOKED_ALIAS = 'alias/conformance-revoked';

/** A fresh EC2 simulator and AWS copier for one test, mounted through nock or a local server. */
async function makeAwsHarness(mounting: 'nock' | 'server'): Promise<ConformanceHarness> {
  const clock = new VirtualClock();
  // Throttling buckets off: the suite injects throttles itself, per operation.
  const sim = new Ec2Simulator({ clock, throttling: false });
  sim.addRegions(...REGIONS);
  const sentinelSecret = `conformance-${randomBytes(16).toString('hex')}`;
  sim.addAccount({ id: CALLER, accessKeyId: 'AKIACONFORMANCE00001', secretAccessKey: sentinelSecret });
  sim.addAccount({
    id: OWNER,
    accessKeyId: 'AKIACONFORMANCE00002',
    secretAccessKey: `owner-${randomBytes(16).toString('hex')}`,
  });
  for (const region of REGIONS) {
    sim.addKey({ account: CALLER, region, aliases: [CUSTOMER_ALIAS] });
    sim.addKey({ account: CALLER, region, aliases: [REVOKED_ALIAS], accessible: false });
    sim.addKey({ account: OWNER, region, aliases: [PARTNER_ALIAS], usableBy: [CALLER] });
  }
  const mounted = await mountSimulator(sim, mounting);
  const { logger, lines } = captureLogger();
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

  // Keys as the caller can name them: id, ARN, or an alias of its own (or of a key it may use).
  const keyOf = (ref: string, region: string): SimKey | undefined => {
    // An alias ARN names the alias of the account in the ARN.
    const aliasArn = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/.exec(ref);
    if (aliasArn) {
      for (const k of world.keys.values()) {
        if (k.region === aliasArn[1] && k.account === aliasArn[2] && k.aliases.includes(aliasArn[3]!))
          return k;
      }
      return undefined;
    }
    for (const k of world.keys.values()) {
      if (k.region !== region) continue;
      if (k.account !== CALLER && !k.usableBy.has(CALLER)) continue;
      if (k.id === ref || k.arn === ref) return k;
      if (k.account === CALLER && k.aliases.includes(ref)) return k;
    }
    return undefined;
  };

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
        if (ownership === 'shared' && key === 'default') {
          throw new Error('EC2 cannot share a snapshot encrypted with the AWS-managed key');
        }
        const encryption =
          key === 'none'
            ? { encrypted: false }
            : key === 'default'
              ? { encrypted: true }
              : { encrypted: true, kmsKeyId: ownership === 'shared' ? PARTNER_ALIAS : CUSTOMER_ALIAS };
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
