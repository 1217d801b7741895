import type { SnapshotCopier } from '@snapcopy/core';

/** A value or a promise of it: a harness over a real cloud answers asynchronously. */
export type Awaitable<T> = T | Promise<T>;

/**
 * Provider-neutral names of the cloud operations the suite talks about. Each harness
 * maps them onto its cloud's own (AWS: `CopySnapshot`, `DescribeSnapshots`,
 * `DeleteSnapshot`; Alibaba: `CopySnapshot`, `DescribeSnapshots`, `DeleteSnapshot`).
 * On clouds where one call both describes a source and reads a copy's status, map both
 * `status` and `describe-source` onto it: the suite treats them alike (as reads).
 */
export type ConformanceOperation = 'copy' | 'status' | 'describe-source' | 'delete';

/** Which key a fixture snapshot is encrypted with. */
export type FixtureKey = 'none' | 'default' | 'customer';

/** What {@link ConformanceFixtures.createSource} makes. */
export interface SourceSnapshotSpec {
  /** Region of the snapshot; default: the first of {@link ConformanceFixtures.regions}. */
  readonly region?: string;
  /** Full size of the snapshot in GiB; default 1. Larger snapshots copy for longer. */
  readonly sizeGiB?: number;
  /** `none` = unencrypted (default); `default` = the cloud's default key; `customer` = a customer key. */
  readonly key?: FixtureKey;
  /** `shared` = owned by another account and shared with the caller. Default `owned`. */
  readonly ownership?: 'owned' | 'shared';
  /** The snapshot's description (listing cases filter on it). */
  readonly description?: string;
  /** The snapshot's tags (listing cases filter on them). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A provider multi-volume group a fixture made: its id and its member snapshots. */
export interface GroupFixture {
  readonly groupId: string;
  readonly members: readonly SourceFixture[];
}

/** A source snapshot a fixture made, as the cloud holds it. */
export interface SourceFixture {
  /** What to put in `CopyRequest.source` (with `account` when the snapshot is shared). */
  readonly ref: { readonly region: string; readonly snapshotId: string; readonly account?: string };
  readonly encrypted: boolean;
  /** The snapshot's key as the cloud names it, when encrypted. */
  readonly kmsKeyId?: string;
  readonly sizeGiB: number;
}

/** Keys usable in one region, as a caller would name them in `encryption.kmsKeyId`. */
export interface RegionKeys {
  /** A customer-managed key the caller may use. */
  readonly customer: string;
  /**
   * A key the cloud will refuse for a copy: one that exists but is not accessible, or,
   * on clouds without that notion, one that does not exist.
   */
  readonly inaccessible: string;
}

/** The regions, accounts and keys every kind of harness's fixtures name. */
export interface FixturesBase {
  /** At least two regions the caller may use; the first is the default source region. */
  readonly regions: readonly [string, string, ...string[]];
  /** An account id, not the caller's, for requests that name a source owner. */
  readonly otherAccountId: string;
  /** Keys the caller can name in a region. */
  keys(region: string): RegionKeys;
}

/** Builds the cloud-side state a test starts from. Fixtures never go through the copier. */
export interface ConformanceFixtures extends FixturesBase {
  /** Creates a completed source snapshot directly in the cloud. */
  createSource(spec?: SourceSnapshotSpec): Awaitable<SourceFixture>;
  /** A well-formed snapshot id that does not exist in `region`. */
  missingSnapshotId(region: string): string;
  /** The caller's own account id (listing cases compare owners with it). */
  readonly callerAccountId?: string;
  /**
   * Makes a provider multi-volume group of `size` completed snapshots owned by the caller
   * (clouds with `listByGroup`).
   */
  createGroup?(spec: { readonly region?: string; readonly size: number }): Awaitable<GroupFixture>;
}

/** A snapshot as the cloud itself holds it. */
export interface TruthSnapshot {
  readonly id: string;
  readonly region: string;
  /** Owner account. */
  readonly account: string;
  /** The cloud's state, normalized: an errored copy is `failed`. */
  readonly state: 'pending' | 'completed' | 'failed';
  /** The cloud's message, e.g. why a copy failed. */
  readonly stateMessage?: string;
  readonly encrypted: boolean;
  /** Key as the cloud records it (compare keys with {@link ConformanceTruth.sameKey}). */
  readonly kmsKeyId?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly retentionDays?: number;
  readonly completionDurationMinutes?: number;
  /** A delete was accepted but waits for the copy to complete. */
  readonly deletePending: boolean;
  /** Set for snapshots made by a copy. */
  readonly copyOf?: { readonly region: string; readonly snapshotId: string };
  /** The idempotency token the cloud recorded (native token or token tag). */
  readonly clientToken?: string;
  readonly description?: string;
  /** Accounts the owner shared the snapshot with, when the cloud can share. */
  readonly sharedWith?: readonly string[];
}

/** One request the cloud received. */
export interface TruthRequest {
  /** The cloud's own operation name. */
  readonly operation: string;
  /** What the harness maps it to; `other` for anything else. */
  readonly kind: ConformanceOperation | 'other';
  /** Region the request was served in, when known. */
  readonly region?: string;
  /** The cloud's error code when the request failed. */
  readonly errorCode?: string;
}

/** Reads the cloud-side state directly, never through the copier under test. */
export interface ConformanceTruth {
  /** A snapshot, or undefined when the cloud has no such snapshot (deleted or never made). */
  snapshot(region: string, snapshotId: string): Awaitable<TruthSnapshot | undefined>;
  /** Every snapshot that exists and was made by copying. */
  copies(): Awaitable<readonly TruthSnapshot[]>;
  /** Every existing copy made with this client token. */
  copiesWithToken(clientToken: string): Awaitable<readonly TruthSnapshot[]>;
  /** Every snapshot that exists in `region`, whoever owns it (listing cases). */
  snapshotsIn?(region: string): Awaitable<readonly TruthSnapshot[]>;
  /** Whether two key references (id, ARN, alias) name the same key in `region`. */
  sameKey(region: string, a: string, b: string): Awaitable<boolean>;
  /** Every request the cloud received, oldest first. */
  requests(): Awaitable<readonly TruthRequest[]>;
}

/** How the harness moves time. */
export interface ConformanceTime {
  /**
   * `virtual`: the copier and the cloud share a virtual clock that `advance` moves and
   * that wakes the copier's sleeps at once. `real`: `advance` really waits (for runs
   * against a real or slow cloud; keep copies short).
   */
  readonly mode: 'virtual' | 'real';
  /** Moves time forward by `ms`. */
  advance(ms: number): Awaitable<void>;
}

/** Fault injection, in provider-neutral operation names. */
export interface ConformanceFaults {
  /** The next `times` (default 1) requests for `operation` fail with the cloud's throttling error. */
  throttleNext(operation: ConformanceOperation, times?: number): void;
  /** The next `times` (default 1) requests for `operation` are applied, then their responses lost. */
  dropResponseAfterNext(operation: ConformanceOperation, times?: number): void;
  /** Removes every pending fault. */
  clear(): void;
}

/** A line the copier logged. */
export interface ConformanceLogLine {
  readonly level: 'debug' | 'info' | 'warn';
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** What a harness holds besides its fixtures and truth, whatever kind of copier `C` it tests. */
export interface HarnessBase<C> {
  /** The copier under test, with credentials whose secret is {@link sentinelSecret}. */
  readonly copier: C;
  readonly time: ConformanceTime;
  /** Faults by neutral operation, as the harness maps them onto its cloud's calls. */
  readonly faults: ConformanceFaults;
  /** A copier like {@link copier} whose credentials the cloud rejects (its secret is also the sentinel). */
  makeCopierWithBadCredentials(): Awaitable<C>;
  /** A secret the copier holds that must never appear in an error message or a log line. */
  readonly sentinelSecret: string;
  /** Everything the copier (and its bad-credentials twin) logged, in order. */
  readonly logs: readonly ConformanceLogLine[];
  /** Stops everything the harness started (servers, nock interceptors). */
  close(): Awaitable<void>;
}

/**
 * A fresh, isolated world for one test: a copier and the cloud it talks to. Build a new
 * one for every test; the suite never shares a harness between tests.
 */
export interface ConformanceHarness extends HarnessBase<SnapshotCopier> {
  readonly fixtures: ConformanceFixtures;
  readonly truth: ConformanceTruth;
}

/** Builds a fresh harness; called once per test. */
export type ConformanceHarnessFactory = () => Awaitable<ConformanceHarness>;

/**
 * How the cloud reports a copy under a key it cannot use: `async` = the copy starts and
 * then fails (AWS); `sync` = the copy call itself is refused (Alibaba); `either` = accept
 * both. Whichever, the provider's reason must reach the caller.
 */
export type KeyFailureMode = 'async' | 'sync' | 'either';
