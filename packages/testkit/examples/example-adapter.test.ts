// The worked example: the conformance suite run against the toy adapter in
// example-adapter.ts. An adapter author copies this folder, replaces the toy cloud with
// their simulator, and maps its state onto the harness contract
// (docs/writing-an-adapter.md). Run it with `npx vitest run`.
import { randomBytes } from 'node:crypto';
import {
  captureLogger,
  type ConformanceHarness,
  type ConformanceOperation,
  VirtualClock,
} from '@snapcopy/testkit';
import { runSnapshotCopierConformance } from '@snapcopy/testkit/conformance';
import { ToyCloud, type ToyOperation, type ToySnapshot, ToySnapshotCopier } from './example-adapter.js';

const REGIONS = ['tc-north-1', 'tc-south-1'] as const;
const OP: Record<ConformanceOperation, ToyOperation> = {
  copy: 'copy',
  status: 'get',
  'describe-source': 'get',
  delete: 'remove',
};
const KIND: Record<ToyOperation, ConformanceOperation> = { copy: 'copy', get: 'status', remove: 'delete' };

function makeToyHarness(): ConformanceHarness {
  const clock = new VirtualClock();
  const sentinelSecret = `toy-secret-${randomBytes(12).toString('hex')}`;
  const cloud = new ToyCloud(clock, sentinelSecret, REGIONS);
  const { logger, lines } = captureLogger();
  const copier = new ToySnapshotCopier(cloud, sentinelSecret, { clock, logger });
  const truthOf = (s: ToySnapshot) => ({
    id: s.id,
    region: s.region,
    account: 'toy-account',
    state: s.readyAt !== undefined && clock.now() < s.readyAt ? ('pending' as const) : ('completed' as const),
    encrypted: s.keyId !== undefined,
    ...(s.keyId === undefined ? {} : { kmsKeyId: s.keyId }),
    tags: s.tags,
    deletePending: false,
    ...(s.copyOf ? { copyOf: { region: s.copyOf.region, snapshotId: s.copyOf.id } } : {}),
    ...(s.token === undefined ? {} : { clientToken: s.token }),
  });
  return {
    copier,
    sentinelSecret,
    logs: lines,
    fixtures: {
      regions: REGIONS,
      otherAccountId: 'toy-other-account',
      createSource({ region = REGIONS[0], sizeGiB = 1, key = 'none', ownership = 'owned' } = {}) {
        if (ownership === 'shared') throw new Error('the toy cloud has one account: nothing can be shared');
        const id = `toy-src-${randomBytes(6).toString('hex')}`;
        const keyId = key === 'none' ? undefined : key === 'default' ? 'toy-default' : 'toy-cmk';
        cloud.snapshots.set(id, { id, region, sizeGiB, tags: {}, ...(keyId ? { keyId } : {}) });
        return {
          ref: { region, snapshotId: id },
          encrypted: keyId !== undefined,
          ...(keyId ? { kmsKeyId: keyId } : {}),
          sizeGiB,
        };
      },
      // The toy cloud has no inaccessible keys; a key that does not exist is refused at copy time.
      keys: () => ({ customer: 'toy-cmk', inaccessible: 'toy-no-such-key' }),
      missingSnapshotId: () => 'toy-src-missing',
    },
    truth: {
      snapshot: (region, id) => {
        const s = cloud.snapshots.get(id);
        return s && s.region === region ? truthOf(s) : undefined;
      },
      copies: () => [...cloud.snapshots.values()].filter((s) => s.copyOf).map(truthOf),
      copiesWithToken: (token) => [...cloud.snapshots.values()].filter((s) => s.token === token).map(truthOf),
      sameKey: (_region, a, b) => a === b,
      requests: () => cloud.log.map((r) => ({ operation: r.op, kind: KIND[r.op], region: r.region })),
    },
    time: { mode: 'virtual', advance: (ms) => clock.advance(ms) },
    faults: {
      throttleNext: (op, times = 1) => void cloud.throttle.set(OP[op], times),
      dropResponseAfterNext: (op, times = 1) => void cloud.drop.set(OP[op], times),
      clear: () => {
        cloud.throttle.clear();
        cloud.drop.clear();
      },
    },
    makeCopierWithBadCredentials: () =>
      new ToySnapshotCopier(cloud, `${sentinelSecret}-revoked`, { clock, logger }),
    close: () => undefined,
  };
}

runSnapshotCopierConformance({
  name: 'toy example adapter',
  makeHarness: makeToyHarness,
  // The toy cloud refuses an unknown key in the copy call itself.
  options: { keyFailure: 'sync' },
});
