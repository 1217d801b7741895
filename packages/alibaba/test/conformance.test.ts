// The SnapshotCopier conformance suite against the Alibaba ECS adapter, talking to the
// ECS simulator through the real @alicloud/ecs20140526 client: once through nock, once
// through the simulator's 127.0.0.1 server. The harness below maps the suite's
// provider-neutral contract onto the simulator's state; nothing here goes through the adapter.
import { type ConformanceHarness, simulatorFaults, simWorldTruth } from '@snapcopy/testkit';
import { runSnapshotCopierConformance } from '@snapcopy/testkit/conformance';
import { createAlibabaEcsCopier } from '../src/index.js';
import { CALLER, makeEcsConformanceWorld, REGIONS } from './support/conformance-world.js';

/** A fresh ECS simulator and Alibaba copier for one test, mounted through nock or a local server. */
async function makeAlibabaHarness(mounting: 'nock' | 'server'): Promise<ConformanceHarness> {
  const { clock, sim, mounted, sentinelSecret, logger, lines, customer, keys, resolveKey } =
    await makeEcsConformanceWorld(mounting);
  const makeCopier = (credentials: { accessKeyId: string; accessKeySecret: string }) =>
    createAlibabaEcsCopier({
      credentials,
      clock,
      logger,
      requestTimeoutMs: 5_000,
      ...(mounted.endpoint ? { endpoint: mounted.endpoint } : {}),
    });
  const copier = makeCopier(sim.credentials(CALLER));
  const world = sim.world;

  return {
    copier,
    sentinelSecret,
    logs: lines,
    fixtures: {
      regions: REGIONS,
      otherAccountId: '6543210987654321',
      callerAccountId: CALLER,
      createSource({
        region = REGIONS[0],
        sizeGiB = 1,
        key = 'none',
        ownership = 'owned',
        description,
        tags,
      } = {}) {
        if (ownership === 'shared') throw new Error('ECS cannot copy a snapshot shared by another account');
        const snap = sim.addSnapshot({
          account: CALLER,
          region,
          sizeGiB,
          diskSizeGiB: Math.max(sizeGiB, 20),
          ...(key === 'none' ? { encrypted: false } : { encrypted: true }),
          ...(key === 'customer' ? { kmsKeyId: customer.get(region)! } : {}),
          ...(description === undefined ? {} : { description }),
          ...(tags === undefined ? {} : { tags }),
        });
        return {
          ref: { region, snapshotId: snap.id },
          encrypted: snap.encrypted,
          ...(snap.kmsKeyId === undefined ? {} : { kmsKeyId: snap.kmsKeyId }),
          sizeGiB,
        };
      },
      createGroup({ region = REGIONS[0], size }) {
        const instance = sim.addInstance({
          account: CALLER,
          region,
          disks: Array.from({ length: size }, () => ({ sizeGiB: 20, usedGiB: 1 })),
        });
        const group = sim.addSnapshotGroup({ instanceId: instance.id });
        return {
          groupId: group.id,
          members: group.snapshotIds.map((snapshotId) => ({
            ref: { region, snapshotId },
            encrypted: false,
            sizeGiB: 1,
          })),
        };
      },
      keys,
      missingSnapshotId: () => 's-conformancemissing0',
    },
    truth: simWorldTruth(world, {
      refresh: () => sim.advance(),
      resolveKey,
    }),
    time: { mode: 'virtual', advance: (ms) => clock.advance(ms) },
    faults: simulatorFaults(sim.faults),
    makeCopierWithBadCredentials: () =>
      makeCopier({ accessKeyId: 'LTAI5tConformanceUnknown', accessKeySecret: sentinelSecret }),
    async close() {
      await mounted.close();
    },
  };
}

for (const mounting of ['nock', 'server'] as const) {
  runSnapshotCopierConformance({
    name: `alibaba (ECS simulator via ${mounting})`,
    makeHarness: () => makeAlibabaHarness(mounting),
    options: {
      // ECS refuses a KMS key it cannot use in the CopySnapshot call itself.
      keyFailure: 'sync',
    },
  });
}
