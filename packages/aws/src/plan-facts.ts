import type { Snapshot } from '@aws-sdk/client-ec2';
import { SnapcopyError, type SnapshotRef, type SourceSnapshotFacts } from '@snapcopy/core';
import { LINEAGE_TAGS, type NormalizedCopyRequest, readPerGroup } from '@snapcopy/core/driver';
import type { Ec2Calls } from './calls.js';
import type { EbsDirectCalls } from './ebs-direct-calls.js';
import type { AwsKmsCalls } from './kms-calls.js';
import {
  type AwsDeltaRead,
  type AwsEncryptionInput,
  type AwsKeyRead,
  type AwsLineageCopy,
  resolveAwsEncryption,
} from './rules/index.js';
import { lineageCopyOf, sourceFacts } from './snapshot-view.js';

/** The destination account's EBS encryption settings that a copy's outcome may depend on. */
export interface DestinationEncryptionDefaults {
  readonly encryptionByDefault: boolean;
  readonly defaultKmsKeyId?: string;
}

/** A key reference and what KMS DescribeKey said about it. */
export interface KeyFact {
  readonly reference: string;
  readonly region: string;
  readonly read: AwsKeyRead;
}

/** Everything an EBS plan decides from, read before the rules are applied. */
export interface AwsPlanFacts {
  /** The source snapshot as DescribeSnapshots returned it. */
  readonly snapshot: Snapshot;
  readonly source: SourceSnapshotFacts;
  readonly ownership: 'owned' | 'shared';
  readonly defaults: DestinationEncryptionDefaults;
  /** KMS DescribeKey of the key the copy uses and of the source's key (each when encrypted). */
  readonly keys: { readonly copy?: KeyFact; readonly source?: KeyFact };
  /** Copies of the source's lineage in the destination, in every state; absent when not looked up. */
  readonly lineage?: readonly AwsLineageCopy[];
  /** The change since the most recent copy's source, when the copy is incremental. */
  readonly delta?: AwsDeltaRead;
}

/** The calls a plan reads with, and how far it goes measuring a delta. */
export interface AwsPlanReaders {
  readonly ec2: Ec2Calls;
  readonly kms: AwsKmsCalls;
  readonly ebs: EbsDirectCalls;
  /** Pages of ListChangedBlocks read before a delta is billed as an upper bound. */
  readonly changedBlocksMaxPages: number;
}

/** What of a request the decisions on one snapshot copy read: a snapshot's, or an AMI's for each of its snapshots. */
export type AwsPlanRequest = Pick<NormalizedCopyRequest, 'encryption' | 'destination'>;

/** What the decision reads from the facts before it is complete: see `decideAwsPlan`. */
export interface AwsPlanDecider {
  /** The key references to describe, from the request, the source and the account settings. */
  keysToRead(request: AwsPlanRequest, facts: AwsSourceAndDefaults): KeysToRead;
  /** The base snapshot of an incremental copy, to count changed blocks against; or why it cannot be. */
  deltaBase(
    request: AwsPlanRequest,
    facts: Omit<AwsPlanFacts, 'delta'>,
  ): { readonly snapshotId?: string; readonly unmeasurable?: string } | undefined;
}

/** The first reads of a plan: the source and the destination's settings. */
export type AwsSourceAndDefaults = Pick<AwsPlanFacts, 'snapshot' | 'source' | 'ownership' | 'defaults'>;

/** Which keys a plan describes: region and reference of the copy's key and of the source's key. */
export interface KeysToRead {
  readonly copy?: { readonly region: string; readonly reference: string };
  readonly source?: { readonly region: string; readonly reference: string };
}

/** Which account settings decide the outcome of this request (see `resolveAwsEncryption`). */
export function encryptionSettingsNeeded(
  requested: { readonly encrypted?: boolean; readonly kmsKeyId?: string } | undefined,
  source: Pick<SourceSnapshotFacts, 'encrypted' | 'ownership' | 'region'>,
  destinationRegion: string,
): { encryptionByDefault: boolean; defaultKey: 'always' | 'if-encryption-by-default' | 'never' } {
  const asked = requested?.encrypted;
  if (requested?.kmsKeyId !== undefined) return { encryptionByDefault: false, defaultKey: 'never' };
  if (source.encrypted) {
    const keepsSourceKey = source.ownership === 'owned' && source.region === destinationRegion;
    return { encryptionByDefault: false, defaultKey: keepsSourceKey ? 'never' : 'always' };
  }
  if (asked === true) return { encryptionByDefault: false, defaultKey: 'always' };
  // Unencrypted source, no flag (or false): encryption by default decides, and then its key.
  return { encryptionByDefault: true, defaultKey: asked === false ? 'never' : 'if-encryption-by-default' };
}

/** The inputs of `resolveAwsEncryption` for a request, a source and the destination's settings. */
export function encryptionInput(
  request: Pick<NormalizedCopyRequest, 'encryption' | 'destination'>,
  source: SourceSnapshotFacts,
  defaults: DestinationEncryptionDefaults,
): AwsEncryptionInput {
  return {
    ...(request.encryption === undefined ? {} : { request: request.encryption }),
    source: {
      region: source.region,
      encrypted: source.encrypted,
      ownership: source.ownership,
      ...(source.kmsKeyId === undefined ? {} : { kmsKeyId: source.kmsKeyId }),
    },
    destination: {
      region: request.destination.region,
      encryptionByDefault: defaults.encryptionByDefault,
      ...(defaults.defaultKmsKeyId === undefined ? {} : { defaultKmsKeyId: defaults.defaultKmsKeyId }),
    },
  };
}

/**
 * Whether earlier copies in the destination bear on this copy: only a copy to another
 * region or account can be incremental, and every such copy becomes the most recent one
 * of its lineage there, which the next copy follows.
 */
export function lineageMatters(source: SourceSnapshotFacts, destinationRegion: string): boolean {
  return source.region !== destinationRegion || source.ownership === 'shared';
}

function notFound(ref: SnapshotRef, why: string): SnapcopyError {
  return new SnapcopyError('NOT_FOUND', `aws: source snapshot ${ref.snapshotId} ${why} in ${ref.region}`, {
    provider: 'aws',
    details: { snapshotId: ref.snapshotId, region: ref.region },
  });
}

/**
 * Reads the sources of many requests and whether the caller owns them, without STS: first
 * among the caller's own snapshots (`OwnerIds: ['self']`), then among those shared with it,
 * up to 200 ids per call per region. A request naming the owner (`source.account`) is taken
 * as shared. One result per request: the snapshot, or its `NOT_FOUND`.
 */
export async function readSourceSnapshots(
  calls: Ec2Calls,
  sources: readonly (SnapshotRef & { readonly account?: string })[],
  signal?: AbortSignal,
): Promise<Array<{ snapshot: Snapshot; ownership: 'owned' | 'shared' } | SnapcopyError>> {
  const ref = (s: SnapshotRef) => ({ region: s.region, id: s.snapshotId });
  const own = await calls.snapshotsById(
    sources.filter((s) => s.account === undefined).map(ref),
    'self',
    signal,
  );
  const shared = sources.filter((s) => s.account !== undefined || !own.get(s.region)?.has(s.snapshotId));
  const any = await calls.snapshotsById(shared.map(ref), 'any', signal);
  return sources.map((source) => {
    const mine = source.account === undefined ? own.get(source.region)?.get(source.snapshotId) : undefined;
    if (mine) return { snapshot: mine, ownership: 'owned' as const };
    const found = any.get(source.region)?.get(source.snapshotId);
    if (!found) return notFound(source, 'does not exist or is not shared with you');
    if (source.account !== undefined && found.OwnerId !== undefined && found.OwnerId !== source.account) {
      return notFound(source, `is not owned by account ${source.account}`);
    }
    return { snapshot: found, ownership: 'shared' as const };
  });
}

/**
 * Reads GetEbsEncryptionByDefault and GetEbsDefaultKmsKeyId in a destination region, each
 * only when some request's outcome depends on it, once for all of them; then gives each
 * request the settings it depends on (the same as it would read alone).
 */
export async function readDefaultsOnce(
  calls: Ec2Calls,
  region: string,
  needs: readonly ReturnType<typeof encryptionSettingsNeeded>[],
  signal?: AbortSignal,
): Promise<DestinationEncryptionDefaults[]> {
  const ebdNeeded = needs.some((n) => n.encryptionByDefault);
  const ebd = ebdNeeded ? await calls.ebsEncryptionByDefault(region, signal) : false;
  const keyNeeded = needs.some(
    (n) => n.defaultKey === 'always' || (n.defaultKey === 'if-encryption-by-default' && ebd),
  );
  const key = keyNeeded ? await calls.ebsDefaultKmsKeyId(region, signal) : undefined;
  return needs.map((n) => {
    const on = n.encryptionByDefault ? ebd : false;
    const wantsKey = n.defaultKey === 'always' || (n.defaultKey === 'if-encryption-by-default' && on);
    return { encryptionByDefault: on, ...(wantsKey && key !== undefined ? { defaultKmsKeyId: key } : {}) };
  });
}

/**
 * Copies of several volumes' lineages that snapcopy made in `region` (found by the lineage
 * tag, up to 200 volumes per call, among the caller's own snapshots), by volume.
 */
async function readLineages(
  calls: Ec2Calls,
  region: string,
  volumeIds: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, AwsLineageCopy[]>> {
  const out = new Map<string, AwsLineageCopy[]>();
  const found = await calls.describeSnapshotsWhere(
    region,
    `tag:${LINEAGE_TAGS.sourceVolume}`,
    volumeIds,
    signal,
  );
  for (const s of found) {
    const volume = s.Tags?.find((t) => t.Key === LINEAGE_TAGS.sourceVolume)?.Value;
    if (volume === undefined) continue;
    const list = out.get(volume) ?? [];
    if (list.length === 0) out.set(volume, list);
    list.push(lineageCopyOf(s));
  }
  return out;
}

/** One value per distinct key, computed once. */
async function once<K, V>(keys: Iterable<K>, id: (k: K) => string, read: (k: K) => Promise<V>) {
  const distinct = new Map<string, K>();
  for (const k of keys) distinct.set(id(k), k);
  const values = await Promise.all([...distinct.values()].map(read));
  return new Map([...distinct.keys()].map((k, i) => [k, values[i]!] as const));
}

const keyId = (k: { region: string; reference: string }) => `${k.region}\u0000${k.reference}`;

/**
 * KMS DescribeKey of the keys many copies depend on, each key reference once per region:
 * per entry of `wanted`, its copy's key and its source's key with what KMS said.
 */
export async function describeKeysOnce(
  kms: AwsKmsCalls,
  wanted: readonly KeysToRead[],
  signal?: AbortSignal,
): Promise<AwsPlanFacts['keys'][]> {
  const reads = await once(
    wanted.flatMap((k) => [k.copy, k.source].filter((r) => r !== undefined)),
    keyId,
    (k) => kms.describeKey(k.region, k.reference, signal),
  );
  const fact = (k: KeysToRead['copy']): KeyFact | undefined =>
    k === undefined ? undefined : { ...k, read: reads.get(keyId(k))! };
  return wanted.map((k) => {
    const copy = fact(k.copy);
    const source = fact(k.source);
    return { ...(copy ? { copy } : {}), ...(source ? { source } : {}) };
  });
}

/** The base an incremental copy's delta is measured against, or none when the decision refuses the copy (it reports that itself). */
export function deltaBaseOf(
  decider: AwsPlanDecider,
  request: AwsPlanRequest,
  facts: Omit<AwsPlanFacts, 'delta'>,
): ReturnType<AwsPlanDecider['deltaBase']> {
  try {
    return decider.deltaBase(request, facts);
  } catch {
    return undefined;
  }
}

/** One copy whose delta may be measured: its source, and the base its decision named (if any). */
export interface DeltaToRead {
  readonly region: string;
  readonly snapshotId: string;
  readonly base: ReturnType<AwsPlanDecider['deltaBase']>;
}

/**
 * The changed blocks of each incremental copy (ListChangedBlocks between the base and the
 * source, in the source's region), each pair counted once; `undefined` for a copy that is
 * not incremental.
 */
export async function readDeltasOnce(
  readers: Pick<AwsPlanReaders, 'ebs' | 'changedBlocksMaxPages'>,
  wanted: readonly DeltaToRead[],
  signal?: AbortSignal,
): Promise<(AwsDeltaRead | undefined)[]> {
  const pairId = (region: string, first: string, second: string) => `${region}\u0000${first}\u0000${second}`;
  const pairs = wanted.flatMap((w) =>
    w.base?.snapshotId === undefined
      ? []
      : [{ region: w.region, first: w.base.snapshotId, second: w.snapshotId }],
  );
  const counts = await once(
    pairs,
    (p) => pairId(p.region, p.first, p.second),
    (p) => readers.ebs.countChangedBlocks(p.region, p.first, p.second, readers.changedBlocksMaxPages, signal),
  );
  return wanted.map((w): AwsDeltaRead | undefined => {
    const base = w.base;
    if (base?.unmeasurable !== undefined) return { kind: 'unmeasured', why: base.unmeasurable };
    if (base?.snapshotId === undefined) return undefined;
    const c = counts.get(pairId(w.region, base.snapshotId, w.snapshotId))!;
    return c.kind === 'counted'
      ? {
          kind: 'counted',
          blocks: c.blocks,
          blockSizeBytes: c.blockSizeBytes,
          baseSnapshotId: base.snapshotId,
        }
      : { kind: 'unmeasured', why: c.why, baseSnapshotId: base.snapshotId };
  });
}

/**
 * Reads what EBS plans need, for many requests at once, sharing every read they have in
 * common: the sources (200 ids a call per region), the destinations' encryption settings
 * (once per region), each key once (KMS DescribeKey), the earlier copies of every lineage
 * in a destination (200 volumes a call), then the changed blocks of each incremental copy
 * (EBS direct APIs). Read calls only. Returns, per request, its facts or the error that
 * request alone fails with (its source not found, a rule refusing it before the next
 * reads); throws when a shared read fails.
 */
export async function readAwsPlanFacts(
  readers: AwsPlanReaders,
  requests: readonly NormalizedCopyRequest[],
  decider: AwsPlanDecider,
  signal?: AbortSignal,
): Promise<Array<AwsPlanFacts | SnapcopyError>> {
  const { ec2, kms } = readers;
  type Partial1 = AwsSourceAndDefaults & { readonly request: NormalizedCopyRequest };
  const read = await readSourceSnapshots(
    ec2,
    requests.map((r) => r.source),
    signal,
  );
  const out: Array<AwsPlanFacts | SnapcopyError> = new Array(requests.length);
  const found: {
    index: number;
    request: NormalizedCopyRequest;
    snapshot: Snapshot;
    ownership: 'owned' | 'shared';
    source: SourceSnapshotFacts;
  }[] = [];
  read.forEach((r, index) => {
    const request = requests[index]!;
    if (r instanceof SnapcopyError) out[index] = r;
    else found.push({ index, request, ...r, source: sourceFacts(request.source, r.snapshot, r.ownership) });
  });

  // The destinations' settings, once per region.
  const defaultsByRegion = await readPerGroup(
    found,
    (f) => f.request.destination.region,
    (region, list) =>
      readDefaultsOnce(
        ec2,
        region,
        list.map((f) => encryptionSettingsNeeded(f.request.encryption, f.source, region)),
        signal,
      ).then((defaults) => list.map((f, i) => ({ ...f, defaults: defaults[i]! }))),
  );
  const withDefaults: (Partial1 & { index: number })[] = [...defaultsByRegion.values()].flat();

  // The encryption rule refuses some requests before any further read; the rest name their keys.
  const live: (Partial1 & { index: number; keys: KeysToRead })[] = [];
  for (const f of withDefaults) {
    try {
      resolveAwsEncryption(encryptionInput(f.request, f.source, f.defaults));
      live.push({ ...f, keys: decider.keysToRead(f.request, f) });
    } catch (err) {
      out[f.index] = err as SnapcopyError;
    }
  }

  const lineageWanted = live.filter(
    (f) => lineageMatters(f.source, f.request.destination.region) && f.source.volumeId !== undefined,
  );
  const [keyReads, lineages] = await Promise.all([
    describeKeysOnce(
      kms,
      live.map((f) => f.keys),
      signal,
    ),
    readPerGroup(
      lineageWanted,
      (f) => f.request.destination.region,
      (region, list) =>
        readLineages(
          ec2,
          region,
          list.map((f) => f.source.volumeId!),
          signal,
        ),
    ),
  ]);

  const withLineage = live.map((f, i) => {
    const copies =
      lineageMatters(f.source, f.request.destination.region) && f.source.volumeId !== undefined
        ? (lineages.get(f.request.destination.region)?.get(f.source.volumeId) ?? [])
        : undefined;
    const facts: Omit<AwsPlanFacts, 'delta'> = {
      snapshot: f.snapshot,
      source: f.source,
      ownership: f.ownership,
      defaults: f.defaults,
      keys: keyReads[i]!,
      ...(copies === undefined ? {} : { lineage: copies }),
    };
    return { index: f.index, request: f.request, facts };
  });

  // The changed blocks of each incremental copy, each pair once.
  const deltas = await readDeltasOnce(
    readers,
    withLineage.map((f) => ({
      region: f.request.source.region,
      snapshotId: f.request.source.snapshotId,
      base: deltaBaseOf(decider, f.request, f.facts),
    })),
    signal,
  );
  withLineage.forEach((f, i) => {
    const delta = deltas[i];
    out[f.index] = { ...f.facts, ...(delta === undefined ? {} : { delta }) };
  });
  return out;
}
