// Parts of a ConformanceHarness that every harness over a SimWorld-backed simulator (the
// EC2 and ECS simulators, the reference cloud) builds the same way, so that an adapter's
// harness only says what is particular to its cloud: accounts, keys and fixtures.
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import type { FaultInjector } from '../sim/faults.js';
import { allowOnlyLocalNetwork, type SimNockMount, type SimServer } from '../sim/mount.js';
import type { SimSnapshot, SimWorld } from '../sim/world.js';
import type {
  ConformanceFaults,
  ConformanceOperation,
  ConformanceTruth,
  TruthRequest,
  TruthSnapshot,
} from './harness.js';

/**
 * The suite's operations as the simulators name them. EC2, ECS and the reference cloud
 * all answer both `status` and `describe-source` with `DescribeSnapshots`.
 */
export const SIMULATOR_OPERATIONS = {
  copy: 'CopySnapshot',
  status: 'DescribeSnapshots',
  'describe-source': 'DescribeSnapshots',
  delete: 'DeleteSnapshot',
} as const satisfies Record<ConformanceOperation, string>;

/** A simulator's operation names as the suite's request kinds (anything else is `other`). */
export const SIMULATOR_REQUEST_KINDS: Readonly<Record<string, ConformanceOperation>> = {
  CopySnapshot: 'copy',
  DescribeSnapshots: 'status',
  DeleteSnapshot: 'delete',
};

/**
 * A simulated resource's tags as plain data, and the client token it was copied with: the
 * copy's own, else the `snapcopy:client-token` lineage tag.
 */
export function tagsAndToken(r: {
  readonly tags: ReadonlyMap<string, string>;
  readonly copy?: { readonly clientToken?: string | undefined } | undefined;
}): { tags: Record<string, string>; token: string | undefined } {
  const tags = Object.fromEntries(r.tags);
  return { tags, token: r.copy?.clientToken ?? tags[LINEAGE_TAGS.clientToken] };
}

/**
 * A simulated snapshot as the suite's {@link TruthSnapshot}. The client token is the one
 * the copy was made with, else the `snapcopy:client-token` lineage tag (for clouds whose
 * copy call takes no native token).
 */
export function truthOfSimSnapshot(s: SimSnapshot): TruthSnapshot {
  const { tags, token } = tagsAndToken(s);
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
    ...(s.description === undefined ? {} : { description: s.description }),
    ...(s.sharedWith.size === 0 ? {} : { sharedWith: [...s.sharedWith] }),
  };
}

/** Settings of {@link simWorldTruth}. */
export interface SimWorldTruthOptions {
  /**
   * Brings the world up to the clock's now before it is read (default `world.advance()`;
   * a simulator that keeps its own timers, like the ECS one, passes its own `advance`).
   */
  readonly refresh?: () => void;
  /**
   * The key a reference (id, ARN, alias) names in `region` as the caller's cloud resolves
   * it, or undefined when it names none. Two references are the same key when this gives
   * the same value (`===`) for both.
   */
  resolveKey(region: string, ref: string): unknown;
  /** Operation name → request kind (default {@link SIMULATOR_REQUEST_KINDS}). */
  readonly requestKinds?: Readonly<Record<string, ConformanceOperation>>;
}

/** The suite's truth readers over a {@link SimWorld}: snapshots, copies and the request log. */
export function simWorldTruth(world: SimWorld, options: SimWorldTruthOptions): ConformanceTruth {
  const refresh = options.refresh ?? (() => world.advance());
  const kinds = options.requestKinds ?? SIMULATOR_REQUEST_KINDS;
  const copies = (): TruthSnapshot[] => {
    refresh();
    return [...world.snapshots.values()].filter((s) => s.copy).map(truthOfSimSnapshot);
  };
  return {
    snapshot(region, snapshotId) {
      refresh();
      const s = world.snapshots.get(snapshotId);
      return s && s.region === region ? truthOfSimSnapshot(s) : undefined;
    },
    copies,
    copiesWithToken: (clientToken) => copies().filter((t) => t.clientToken === clientToken),
    snapshotsIn(region) {
      refresh();
      const out: TruthSnapshot[] = [];
      for (const s of world.snapshots.values()) if (s.region === region) out.push(truthOfSimSnapshot(s));
      return out;
    },
    sameKey(region, a, b) {
      const ka = options.resolveKey(region, a);
      return ka !== undefined && ka === options.resolveKey(region, b);
    },
    requests: (): TruthRequest[] =>
      world.requests.entries().map((e) => ({
        operation: e.operation,
        kind: kinds[e.operation] ?? 'other',
        ...(e.region === undefined ? {} : { region: e.region }),
        ...(e.errorCode === undefined ? {} : { errorCode: e.errorCode }),
      })),
  };
}

/** The suite's fault injection onto a simulator's {@link FaultInjector}. */
export function simulatorFaults(
  faults: FaultInjector,
  operations: Readonly<Record<ConformanceOperation, string>> = SIMULATOR_OPERATIONS,
): ConformanceFaults {
  return {
    throttleNext: (op, times = 1) => void faults.throttleNext(operations[op], times),
    dropResponseAfterNext: (op, times = 1) => void faults.dropResponseNext(operations[op], times),
    clear: () => faults.clear(),
  };
}

/** How a conformance run reaches a simulator: nock interceptors, or its 127.0.0.1 server. */
export type SimulatorMounting = 'nock' | 'server';

/** A mounted simulator. */
export interface MountedSimulator {
  /** The server's URL to give the SDK client as its endpoint; undefined under nock. */
  readonly endpoint?: string;
  /** Removes the nock interceptors or stops the server. */
  close(): Promise<void>;
}

/**
 * Mounts a simulator for one harness (either way, nock then refuses every host but
 * 127.0.0.1, so nothing reaches a real cloud).
 */
export async function mountSimulator(
  sim: { listen(): Promise<SimServer>; mountNock(): SimNockMount },
  mounting: SimulatorMounting,
): Promise<MountedSimulator> {
  allowOnlyLocalNetwork();
  if (mounting === 'server') {
    const server = await sim.listen();
    return { endpoint: server.url, close: () => server.close() };
  }
  const mount = sim.mountNock();
  return {
    close: async () => {
      mount.stop();
    },
  };
}
