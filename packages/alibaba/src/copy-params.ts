import type { CopyPlan } from '@snapcopy/core';
import { lineageTags, type NormalizedCopyRequest } from '@snapcopy/core/driver';
import { resolveAlibabaEncryption } from './rules/encryption.js';
import { defaultCopyDescription, defaultCopyName } from './rules/validation.js';

/** The CopySnapshot request, in the SDK's field names (each becomes one query parameter). */
export interface CopySnapshotParams {
  /** The **source** region: ECS serves CopySnapshot from where the snapshot is. */
  readonly regionId: string;
  readonly snapshotId: string;
  readonly destinationRegionId: string;
  readonly destinationSnapshotName: string;
  readonly destinationSnapshotDescription: string;
  readonly retentionDays?: number;
  readonly encrypted?: boolean;
  readonly KMSKeyId?: string;
  /** Caller tags then lineage tags → `Tag.N.Key`/`Tag.N.Value`. */
  readonly tag: readonly { readonly key: string; readonly value: string }[];
  /** ECS's idempotency token: one token never yields two copies. */
  readonly clientToken: string;
}

/**
 * Builds CopySnapshot from a request and its plan. `Encrypted`/`KMSKeyId` are exactly
 * what the encryption rule's `wire` says (re-derived from the plan's facts, so a plan
 * passed in by the caller gives the same parameters); name and description, which the
 * API requires, default to snapcopy's.
 */
export function buildCopySnapshotParams(req: NormalizedCopyRequest, plan: CopyPlan): CopySnapshotParams {
  const { wire } = resolveAlibabaEncryption({
    sourceRegion: req.source.region,
    destinationRegion: req.destination.region,
    sourceEncrypted: plan.source.encrypted,
    ...(req.encryption ? { requested: req.encryption } : {}),
  });
  const lineage = lineageTags({
    clientToken: req.clientToken,
    sourceSnapshotId: req.source.snapshotId,
    sourceRegion: req.source.region,
    ...(plan.source.volumeId === undefined ? {} : { sourceVolumeId: plan.source.volumeId }),
    ...(plan.encryption.kmsKeyId === undefined ? {} : { kmsKeyId: plan.encryption.kmsKeyId }),
  });
  const tag = [
    ...Object.entries(req.tags ?? {}),
    ...Object.entries(req.snapcopyTags ?? {}),
    ...Object.entries(lineage),
  ].map(([key, value]) => ({
    key,
    value,
  }));
  return {
    regionId: req.source.region,
    snapshotId: req.source.snapshotId,
    destinationRegionId: req.destination.region,
    destinationSnapshotName: req.name ?? defaultCopyName(req.source.snapshotId),
    destinationSnapshotDescription:
      req.description ??
      defaultCopyDescription({ sourceSnapshotId: req.source.snapshotId, sourceRegion: req.source.region }),
    ...(req.retentionDays === undefined ? {} : { retentionDays: req.retentionDays }),
    ...(wire.Encrypted === undefined ? {} : { encrypted: wire.Encrypted }),
    ...(wire.KMSKeyId === undefined ? {} : { KMSKeyId: wire.KMSKeyId }),
    tag,
    clientToken: req.clientToken,
  };
}

/**
 * What a copy call (CopySnapshot, CopyImage) is logged with at debug: where it is sent, what
 * it copies (`source`, e.g. `{ snapshotId }`), whether it encrypts and its token; never a key
 * or a tag.
 */
export function copyCallLogFields(
  params: {
    readonly regionId: string;
    readonly destinationRegionId: string;
    readonly encrypted?: boolean;
    readonly clientToken: string;
  },
  source: Readonly<Record<string, string>>,
): Record<string, unknown> {
  return {
    regionId: params.regionId,
    destinationRegionId: params.destinationRegionId,
    ...source,
    encrypted: params.encrypted ?? false,
    clientToken: params.clientToken,
  };
}
