import type { SnapshotCopier } from '@snapcopy/core';
import type { CopierRuntime } from '@snapcopy/core/driver';
import type {
  ConformanceHarness,
  ConformanceOperation,
  FixtureKey,
  GroupFixture,
  HarnessBase,
  RegionKeys,
  SourceFixture,
  SourceSnapshotSpec,
} from '../conformance/harness.js';
import { captureLogger } from '../conformance/log-capture.js';
import { SIMULATOR_OPERATIONS, simulatorFaults, simWorldTruth } from '../conformance/simulator-harness.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { hexId, type SimSnapshot } from '../sim/world.js';
import { REFERENCE_DEFAULT_KEY_ALIAS, ReferenceCloud, type ReferenceCredentials } from './cloud.js';
import { ReferenceSnapshotCopier } from './copier.js';

/** Builds a copier (of any kind) over a reference cloud. */
export type ReferenceCopierMaker<C> = (input: {
  cloud: ReferenceCloud;
  credentials: ReferenceCredentials;
  runtime: CopierRuntime;
}) => C;

/** Settings of {@link makeReferenceHarness}. */
export interface ReferenceHarnessOptions {
  readonly keyFailure?: 'async' | 'sync';
  readonly cancelTakesEffect?: 'immediate' | 'on-completion';
  /** Builds the copier under test (default: {@link ReferenceSnapshotCopier}). */
  readonly makeCopier?: ReferenceCopierMaker<SnapshotCopier>;
}

/** The caller's account, another account that shares with it, and the two regions of every reference harness. */
export const REFERENCE_CALLER = '100000000001';
export const REFERENCE_OTHER = '200000000002';
export const REFERENCE_REGIONS = ['rf-east-1', 'rf-west-1'] as const;
const CALLER = REFERENCE_CALLER;
const OTHER = REFERENCE_OTHER;
const REGIONS = REFERENCE_REGIONS;

/** A fresh reference cloud with its two accounts, keys, clock and captured log. */
export function setUpReferenceCloud(
  options: Pick<ReferenceHarnessOptions, 'keyFailure' | 'cancelTakesEffect'>,
) {
  const clock = new VirtualClock();
  const cloud = new ReferenceCloud({
    clock,
    regions: REGIONS,
    keyFailure: options.keyFailure ?? 'async',
    cancelTakesEffect: options.cancelTakesEffect ?? 'immediate',
  });
  const sentinelSecret = `ref-sentinel-${hexId(24)}`;
  const credentials: ReferenceCredentials = {
    accessKeyId: `AKREF${hexId(12)}`,
    secretAccessKey: sentinelSecret,
  };
  cloud.addAccount(CALLER, credentials);
  cloud.addAccount(OTHER, { accessKeyId: `AKOTHER${hexId(8)}`, secretAccessKey: `other-${hexId(24)}` });
  const inaccessible = new Map<string, string>(
    REGIONS.map((r) => [r, cloud.addInaccessibleKey(r, CALLER).id]),
  );
  const { logger, lines } = captureLogger();
  return { clock, cloud, credentials, sentinelSecret, inaccessible, logger, lines };
}

/**
 * What a reference harness of either kind holds besides its fixtures and truth: a fresh
 * reference cloud, the copier `makeCopier` (else `makeDefault`) builds over it, virtual time,
 * faults by the suite's operation names, the captured log; and the keys of each region.
 */
export function referenceHarnessBase<C>(
  options: Pick<ReferenceHarnessOptions, 'keyFailure' | 'cancelTakesEffect'> & {
    readonly makeCopier?: ReferenceCopierMaker<C>;
  },
  makeDefault: ReferenceCopierMaker<C>,
  operations: Readonly<Record<ConformanceOperation, string>>,
): { base: HarnessBase<C>; cloud: ReferenceCloud; keys: (region: string) => RegionKeys } {
  const { clock, cloud, credentials, sentinelSecret, inaccessible, logger, lines } =
    setUpReferenceCloud(options);
  const runtime: CopierRuntime = { clock, logger };
  const make = options.makeCopier ?? makeDefault;
  const badCredentials = { accessKeyId: 'AKREFUNKNOWN0000', secretAccessKey: sentinelSecret };
  const base: HarnessBase<C> = {
    copier: make({ cloud, credentials, runtime }),
    sentinelSecret,
    logs: lines,
    time: { mode: 'virtual', advance: (ms) => clock.advance(ms) },
    faults: simulatorFaults(cloud.faults, operations),
    makeCopierWithBadCredentials: () => make({ cloud, credentials: badCredentials, runtime }),
    close: () => undefined,
  };
  const keys = (region: string): RegionKeys => ({
    customer: 'alias/ref/customer',
    inaccessible: inaccessible.get(region) ?? 'key-none',
  });
  return { base, cloud, keys };
}

/**
 * A fresh reference cloud and copier for one conformance test: two regions, the caller's
 * account and another that shares snapshots with it, a default, a customer and an
 * inaccessible key per region, a virtual clock, fault injection and a captured log.
 */
export function makeReferenceHarness(options: ReferenceHarnessOptions = {}): ConformanceHarness {
  const { base, cloud, keys } = referenceHarnessBase(
    options,
    ({ runtime, cloud, credentials }) => new ReferenceSnapshotCopier({ ...runtime, cloud, credentials }),
    SIMULATOR_OPERATIONS,
  );
  const world = cloud.world;

  return {
    ...base,
    fixtures: {
      regions: REGIONS,
      otherAccountId: OTHER,
      callerAccountId: CALLER,
      createSource,
      createGroup({ region = REGIONS[0], size }): GroupFixture {
        const groupId = `grp-${hexId(12)}`;
        const members: SourceFixture[] = [];
        for (let i = 0; i < size; i++) members.push(createSource({ region }, { groupId }));
        return { groupId, members };
      },
      keys,
      missingSnapshotId: () => 'snap-refmissing0000',
    },
    truth: simWorldTruth(world, { resolveKey: (region, ref) => cloud.resolveKey(ref, region, CALLER)?.id }),
  };

  function createSource(spec: SourceSnapshotSpec = {}, extra: Record<string, unknown> = {}): SourceFixture {
    const region = spec.region ?? REGIONS[0];
    const owner = spec.ownership === 'shared' ? OTHER : CALLER;
    const sizeGiB = spec.sizeGiB ?? 1;
    const snap = addFixtureSnapshot(cloud, {
      region,
      owner,
      caller: CALLER,
      sizeGiB,
      key: spec.key ?? 'none',
      ...(spec.description === undefined ? {} : { description: spec.description }),
      ...(spec.tags === undefined ? {} : { tags: spec.tags }),
      extra,
    });
    return {
      ref: { region, snapshotId: snap.id, ...(owner === CALLER ? {} : { account: owner }) },
      encrypted: snap.encrypted,
      ...(snap.kmsKeyId === undefined ? {} : { kmsKeyId: snap.kmsKeyId }),
      sizeGiB,
    };
  }
}

/**
 * A completed snapshot of `owner` in `region` on its own volume, encrypted with the default or
 * customer key when asked; shared with (and its key usable by) `caller` when `owner` is another account.
 */
export function addFixtureSnapshot(
  cloud: ReferenceCloud,
  spec: {
    region: string;
    owner: string;
    caller: string;
    sizeGiB: number;
    key: FixtureKey;
    description?: string;
    tags?: Readonly<Record<string, string>>;
    /** Simulator-only attributes (e.g. the multi-volume group id). */
    extra?: Record<string, unknown>;
  },
): SimSnapshot {
  const { region, owner, caller, sizeGiB } = spec;
  const alias = spec.key === 'default' ? REFERENCE_DEFAULT_KEY_ALIAS : 'alias/ref/customer';
  const key = spec.key === 'none' ? undefined : cloud.resolveKey(alias, region, owner);
  if (key && owner !== caller) key.usableBy.add(caller);
  const volumeId = `vol-${hexId(12)}`;
  cloud.world.addVolume({
    id: volumeId,
    region,
    account: owner,
    sizeGiB: sizeGiB * 2,
    encrypted: key !== undefined,
    ...(key ? { kmsKeyId: key.id } : {}),
  });
  return cloud.world.addSnapshot({
    region,
    account: owner,
    volumeId,
    volumeSizeGiB: sizeGiB * 2,
    sizeGiB,
    changedGiB: sizeGiB,
    encrypted: key !== undefined,
    ...(key ? { kmsKeyId: key.id } : {}),
    ...(owner === caller ? {} : { sharedWith: [caller] }),
    ...(spec.description === undefined ? {} : { description: spec.description }),
    ...(spec.tags === undefined ? {} : { tags: { ...spec.tags } }),
    ...(spec.extra === undefined ? {} : { extra: spec.extra }),
  });
}
