import type { Snapshot } from '@aws-sdk/client-ec2';
import {
  LINEAGE_TAGS,
  type NormalizedCopyRequest,
  SnapcopyError,
  type SnapshotRef,
  type SourceSnapshotFacts,
} from '@snapcopy/core';
import type { Ec2Calls } from './calls.js';
import { type AwsDestinationLineage, type AwsEncryptionInput, resolveAwsEncryption } from './rules/index.js';
import { lineageFromCopies, sourceFacts } from './snapshot-view.js';

/** The destination account's EBS encryption settings that a copy's outcome may depend on. */
export interface DestinationEncryptionDefaults {
  readonly encryptionByDefault: boolean;
  readonly defaultKmsKeyId?: string;
}

/** Everything an EBS plan decides from, read before any rule is applied. */
export interface AwsPlanFacts {
  /** The source snapshot as DescribeSnapshots returned it. */
  readonly snapshot: Snapshot;
  readonly source: SourceSnapshotFacts;
  readonly ownership: 'owned' | 'shared';
  readonly defaults: DestinationEncryptionDefaults;
  /** Earlier copies of the source's lineage in the destination; absent when not looked up or none. */
  readonly lineage?: AwsDestinationLineage;
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
 * Whether earlier copies in the destination can make this copy incremental: only a copy
 * to another region or account can be, and never one that encrypts an unencrypted
 * snapshot (always a full copy). Decided before reading the lineage, so that a copy that
 * cannot be incremental costs no lookup.
 */
export function lineageMatters(
  source: SourceSnapshotFacts,
  destinationRegion: string,
  copyEncrypted: boolean,
): boolean {
  const crossRegion = source.region !== destinationRegion;
  return (crossRegion || source.ownership === 'shared') && !(!source.encrypted && copyEncrypted);
}

function notFound(ref: SnapshotRef, why: string): SnapcopyError {
  return new SnapcopyError('NOT_FOUND', `aws: source snapshot ${ref.snapshotId} ${why} in ${ref.region}`, {
    provider: 'aws',
    details: { snapshotId: ref.snapshotId, region: ref.region },
  });
}

/**
 * Reads the source snapshot and whether the caller owns it, without STS: first among the
 * caller's own snapshots (`OwnerIds: ['self']`), then among those shared with it. When
 * the request names the owner account (`source.account`) the snapshot is taken as shared.
 */
export async function readSourceSnapshot(
  calls: Ec2Calls,
  source: SnapshotRef & { readonly account?: string },
  signal?: AbortSignal,
): Promise<{ snapshot: Snapshot; ownership: 'owned' | 'shared' }> {
  const ids = { SnapshotIds: [source.snapshotId] };
  if (source.account === undefined) {
    const own = await calls.describeSnapshots(source.region, { ...ids, OwnerIds: ['self'] }, signal);
    const mine = own.find((s) => s.SnapshotId === source.snapshotId);
    if (mine) return { snapshot: mine, ownership: 'owned' };
  }
  const any = await calls.describeSnapshots(source.region, ids, signal);
  const found = any.find((s) => s.SnapshotId === source.snapshotId);
  if (!found) throw notFound(source, 'does not exist or is not shared with you');
  if (source.account !== undefined && found.OwnerId !== undefined && found.OwnerId !== source.account) {
    throw notFound(source, `is not owned by account ${source.account}`);
  }
  return { snapshot: found, ownership: 'shared' };
}

/**
 * Reads GetEbsEncryptionByDefault and GetEbsDefaultKmsKeyId in the destination region,
 * each only when the copy's outcome depends on it.
 */
export async function readDestinationDefaults(
  calls: Ec2Calls,
  region: string,
  needed: ReturnType<typeof encryptionSettingsNeeded>,
  signal?: AbortSignal,
): Promise<DestinationEncryptionDefaults> {
  if (needed.defaultKey === 'always') {
    const [ebd, key] = await Promise.all([
      needed.encryptionByDefault ? calls.ebsEncryptionByDefault(region, signal) : Promise.resolve(false),
      calls.ebsDefaultKmsKeyId(region, signal),
    ]);
    return { encryptionByDefault: ebd, ...(key === undefined ? {} : { defaultKmsKeyId: key }) };
  }
  const ebd = needed.encryptionByDefault ? await calls.ebsEncryptionByDefault(region, signal) : false;
  if (needed.defaultKey === 'if-encryption-by-default' && ebd) {
    const key = await calls.ebsDefaultKmsKeyId(region, signal);
    return { encryptionByDefault: ebd, ...(key === undefined ? {} : { defaultKmsKeyId: key }) };
  }
  return { encryptionByDefault: ebd };
}

/**
 * Earlier copies of `volumeId`'s snapshots that snapcopy made in `region` (found by the
 * lineage tag, among the caller's own snapshots).
 */
export async function readDestinationLineage(
  calls: Ec2Calls,
  region: string,
  volumeId: string,
  signal?: AbortSignal,
): Promise<AwsDestinationLineage | undefined> {
  const copies = await calls.describeSnapshots(
    region,
    { OwnerIds: ['self'], Filters: [{ Name: `tag:${LINEAGE_TAGS.sourceVolume}`, Values: [volumeId] }] },
    signal,
  );
  return lineageFromCopies(copies);
}

/**
 * Reads what an EBS plan needs: the source (and whether it is shared with the caller),
 * the destination's encryption settings (only those that decide the outcome) and the
 * lineage of earlier copies (only when the copy could be incremental). Read calls only.
 */
export async function readAwsPlanFacts(
  calls: Ec2Calls,
  request: NormalizedCopyRequest,
  signal?: AbortSignal,
): Promise<AwsPlanFacts> {
  const { snapshot, ownership } = await readSourceSnapshot(calls, request.source, signal);
  const source = sourceFacts(request.source, snapshot, ownership);
  const destinationRegion = request.destination.region;
  const defaults = await readDestinationDefaults(
    calls,
    destinationRegion,
    encryptionSettingsNeeded(request.encryption, source, destinationRegion),
    signal,
  );
  const copyEncrypted = resolveAwsEncryption(encryptionInput(request, source, defaults)).encryption.encrypted;
  const lineage =
    lineageMatters(source, destinationRegion, copyEncrypted) && source.volumeId !== undefined
      ? await readDestinationLineage(calls, destinationRegion, source.volumeId, signal)
      : undefined;
  return { snapshot, source, ownership, defaults, ...(lineage === undefined ? {} : { lineage }) };
}
