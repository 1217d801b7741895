// The SnapshotCopier conformance suite against the Alibaba ECS adapter, talking to the
// ECS simulator through the real @alicloud/ecs20140526 client: once through nock, once
// through the simulator's 127.0.0.1 server. The harness below maps the suite's
// provider-neutral contract onto the simulator's state; nothing here goes through the adapter.
import { randomBytes } from 'node:crypto';
import { LINEAGE_TAGS } from '@snapcopy/core';
import {
  captureLogger,
  type ConformanceHarness,
  type ConformanceOperation,
  EcsSimulator,
  type SimSnapshot,
  type TruthSnapshot,
  VirtualClock,
} from '@snapcopy/testkit';
import { runSnapshotCopierConformance } from '@snapcopy/testkit/conformance';
import nock from 'nock';
import { createAlibabaEcsCopier } from '../src/index.js';

const CALLER = '1234567890123456';
const REGIONS = ['cn-hangzhou', 'cn-shanghai'] as const;

const OPERATION_OF: Record<ConformanceOperation, string> = {
  copy: 'CopySnapshot',
  status: 'DescribeSnapshots',
  'describe-source': 'DescribeSnapshots',
  delete: 'DeleteSnapshot',
};
const KIND_OF: Record<string, ConformanceOperation> = {
  CopySnapshot: 'copy',
  DescribeSnapshots: 'status',
  DeleteSnapshot: 'delete',
};

function truthOf(s: SimSnapshot): TruthSnapshot {
  const tags = Object.fromEntries(s.tags);
  const token = s.copy?.clientToken ?? tags[LINEAGE_TAGS.clientToken];
  return {
    id: s.id,
    region: s.region,
    account: s.account,
    state: s.state === 'error' ? 'failed' : s.state,
    ...(s.stateMessage === undefined ? {} : { stateMessage: s.stateMessage }),
    encrypted: s.encrypted,
    ...(s.kmsKeyId === undefined ? {} : { kmsKeyId: s.kmsKeyId }),
    tags,
    ...(s.retentionDays === undefined ? {} : { retentionDays: s.retentionDays }),
    ...(s.copy?.completionDurationMinutes === undefined
      ? {}
      : { completionDurationMinutes: s.copy.completionDurationMinutes }),
    deletePending: s.copy?.deleteRequested ?? false,
    ...(s.copy ? { copyOf: { region: s.copy.sourceRegion, snapshotId: s.copy.sourceSnapshotId } } : {}),
    ...(token === undefined ? {} : { clientToken: token }),
  };
}

/** A fresh ECS simulator and Alibaba copier for one test, mounted through nock or a local server. */
async function makeAlibabaHarness(mounting: 'nock' | 'server'): Promise<ConformanceHarness> {
  const clock = new VirtualClock();
  const sim = new EcsSimulator({ clock });
  sim.addRegions(...REGIONS);
  const sentinelSecret = `conformance${randomBytes(12).toString('hex')}`;
  sim.addAccount({ id: CALLER, accessKeyId: 'LTAI5tConformance000001', accessKeySecret: sentinelSecret });
  const customer = new Map<string, string>();
  const revoked = new Map<string, string>();
  for (const region of REGIONS) {
    customer.set(region, sim.addKey({ account: CALLER, region, alias: 'alias/conformance' }).id);
    revoked.set(
      region,
      sim.addKey({ account: CALLER, region, alias: 'alias/conformance-revoked', usable: false }).id,
    );
  }
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const server = mounting === 'server' ? await sim.listen() : undefined;
  const mount = mounting === 'nock' ? sim.mountNock() : undefined;
  const { logger, lines } = captureLogger();
  const makeCopier = (credentials: { accessKeyId: string; accessKeySecret: string }) =>
    createAlibabaEcsCopier({
      credentials,
      clock,
      logger,
      requestTimeoutMs: 5_000,
      ...(server ? { endpoint: server.url } : {}),
    });
  const copier = makeCopier(sim.credentials(CALLER));
  const world = sim.world;
  const snapshots = () => {
    sim.advance();
    return [...world.snapshots.values()];
  };

  return {
    copier,
    sentinelSecret,
    logs: lines,
    fixtures: {
      regions: REGIONS,
      otherAccountId: '6543210987654321',
      createSource({ region = REGIONS[0], sizeGiB = 1, key = 'none', ownership = 'owned' } = {}) {
        if (ownership === 'shared') throw new Error('ECS cannot copy a snapshot shared by another account');
        const snap = sim.addSnapshot({
          account: CALLER,
          region,
          sizeGiB,
          diskSizeGiB: Math.max(sizeGiB, 20),
          ...(key === 'none' ? { encrypted: false } : { encrypted: true }),
          ...(key === 'customer' ? { kmsKeyId: customer.get(region)! } : {}),
        });
        return {
          ref: { region, snapshotId: snap.id },
          encrypted: snap.encrypted,
          ...(snap.kmsKeyId === undefined ? {} : { kmsKeyId: snap.kmsKeyId }),
          sizeGiB,
        };
      },
      keys: (region) => ({ customer: customer.get(region)!, inaccessible: revoked.get(region)! }),
      missingSnapshotId: () => 's-conformancemissing0',
    },
    truth: {
      snapshot(region, id) {
        const s = sim.snapshot(id);
        return s && s.region === region ? truthOf(s) : undefined;
      },
      copies: () =>
        snapshots()
          .filter((s) => s.copy)
          .map(truthOf),
      copiesWithToken: (token) =>
        snapshots()
          .filter((s) => s.copy)
          .map(truthOf)
          .filter((t) => t.clientToken === token),
      sameKey(region, a, b) {
        const ka = sim.state.findKey(CALLER, region, a);
        return ka !== undefined && ka === sim.state.findKey(CALLER, region, b);
      },
      requests: () =>
        world.requests.entries().map((e) => ({
          operation: e.operation,
          kind: KIND_OF[e.operation] ?? 'other',
          ...(e.region === undefined ? {} : { region: e.region }),
          ...(e.errorCode === undefined ? {} : { errorCode: e.errorCode }),
        })),
    },
    time: { mode: 'virtual', advance: (ms) => clock.advance(ms) },
    faults: {
      throttleNext: (op, times = 1) => void sim.faults.throttleNext(OPERATION_OF[op], times),
      dropResponseAfterNext: (op, times = 1) => void sim.faults.dropResponseNext(OPERATION_OF[op], times),
      clear: () => sim.faults.clear(),
    },
    makeCopierWithBadCredentials: () =>
      makeCopier({ accessKeyId: 'LTAI5tConformanceUnknown', accessKeySecret: sentinelSecret }),
    async close() {
      mount?.stop();
      await server?.close();
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
