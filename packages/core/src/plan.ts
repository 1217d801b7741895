import type { ResponseMetadata } from './provider-calls.js';
import type { CostEstimate } from './cost.js';
import type { CopyRequest } from './request.js';

/** How much data a copy moves. */
export type Transfer = 'none' | 'incremental' | 'full';
/** Which size the transfer is billed on. */
export type SizeBasis = 'none' | 'delta' | 'snapshot' | 'disk';
/** Where the copy's key comes from. */
export type KeySource = 'none' | 'source-key' | 'default-key' | 'given-key';

/** What the provider knows about the source snapshot. */
export interface SourceSnapshotFacts {
  readonly region: string;
  readonly snapshotId: string;
  /** Account that owns the snapshot. */
  readonly ownerAccount?: string;
  /** `owned` by the caller, or `shared` with the caller by another account. */
  readonly ownership: 'owned' | 'shared';
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  /** Source volume (AWS) or disk (Alibaba): the lineage of its snapshots. */
  readonly volumeId?: string;
  /** Snapshot size in GiB (the full size, not the incremental one). */
  readonly sizeGiB: number;
  /** Size of the source volume/disk in GiB, when the provider reports it. */
  readonly diskSizeGiB?: number;
  /** GiB changed since the previous snapshot of the same volume, when known. */
  readonly changedGiB?: number;
}

/**
 * What the key service said about the key a copy will use. A plan resolves every key
 * reference (key id, key ARN, alias name, alias ARN) through the provider's key service
 * before deciding, so that one key compares equal however it was named.
 */
export interface ResolvedKmsKey {
  /** The reference as the request, the account setting or the source gave it. */
  readonly reference: string;
  /**
   * `kms`: the key service described the key and the plan checked it can be used (its
   * state, region and account); `unread`: the key service could not be read (no
   * permission), so the key was neither resolved nor checked and `reasons` says so.
   */
  readonly checkedBy: 'kms' | 'unread';
  /** The key's id, as the key service names it (when read). */
  readonly keyId?: string;
  /** The key's ARN (when read). */
  readonly keyArn?: string;
  /** The key's state as the key service names it, e.g. `Enabled` (when read). */
  readonly state?: string;
  /** The account that owns the key (when read). */
  readonly account?: string;
  /** The key's region (when read or named in an ARN). */
  readonly region?: string;
  /** True for the provider's own key (free; AWS managed `alias/aws/ebs`, the ECS service key), when read. */
  readonly managedByProvider?: boolean;
}

/** The resolved encryption of the copy. */
export interface ResolvedEncryption {
  readonly encrypted: boolean;
  /**
   * The key the copy will have, when encrypted: as the provider names it on the copy
   * (the key ARN on AWS, the key id on Alibaba) once the key service resolved it, else as
   * the request or the account setting named it.
   */
  readonly kmsKeyId?: string;
  readonly keySource: KeySource;
  /** How the key was resolved and checked, when the copy is encrypted and the adapter looked it up. */
  readonly key?: ResolvedKmsKey;
}

/**
 * How the GiB of an incremental copy were found.
 * - `changed-blocks`: counted through the provider's block-level API (on AWS the EBS direct
 *   APIs' ListChangedBlocks between the source and the snapshot the most recent copy in the
 *   destination was made from): the copy moves exactly these blocks.
 * - `upper-bound`: the change could not be measured (the provider has no such API, the
 *   earlier snapshot is gone, or it could not be read), so the full snapshot size is billed
 *   as a ceiling the copy will not exceed.
 */
export type DeltaMeasurement = 'changed-blocks' | 'upper-bound';

/** The size of an incremental copy, and how it was found. Present when `sizeBasis` is `delta`. */
export interface DeltaEstimate {
  readonly measured: DeltaMeasurement;
  /** GiB the plan bills for the delta: exact for `changed-blocks`, a ceiling for `upper-bound`. */
  readonly gib: number;
  /** The snapshot the change is measured from (the source of the most recent copy), when known. */
  readonly baseSnapshotId?: string;
  /** Blocks that differ between the two snapshots (`changed-blocks`). */
  readonly changedBlocks?: number;
  /** Bytes per block, as the block-level API reports it (`changed-blocks`). */
  readonly blockSizeBytes?: number;
  /** Why the change could not be measured (`upper-bound`). */
  readonly why?: string;
}

/** What the plan found of earlier copies of the source's lineage in the destination. */
export interface PlanLineage {
  /**
   * The most recent copy of the lineage in the destination (completed, or pending and
   * going to complete before this copy starts): the copy this one follows.
   */
  readonly mostRecentCopyId?: string;
  /** That copy's client token: a later plan finds it, or learns it was deleted. */
  readonly mostRecentCopyToken?: string;
  /** The snapshot the most recent copy was made from: the base of an incremental copy. */
  readonly baseSnapshotId?: string;
}

/** Quantities the bill is made of. */
export interface BillableGiB {
  /** GiB moved (and charged) between regions/accounts. */
  readonly transfer: number;
  /** GiB the copy adds to storage in the destination. */
  readonly storage: number;
  /** GiB charged the time-based copy fee (AWS), 0 otherwise. */
  readonly timeBased: number;
}

/** Charges from the key service. */
export interface KmsCharges {
  /** The copy uses a customer-managed key, which may be billed per key and per request. */
  readonly customerManagedKey: boolean;
  /** The copy uses the provider's free default/service key. */
  readonly serviceKey: boolean;
}

/** What a copy will do and what it will cost, computed without changing anything. */
export interface CopyPlan {
  readonly provider: string;
  readonly request: CopyRequest;
  readonly source: SourceSnapshotFacts;
  readonly destination: { readonly region: string; readonly account?: string };
  readonly encryption: ResolvedEncryption;
  readonly transfer: Transfer;
  readonly sizeBasis: SizeBasis;
  /** For an incremental copy (`sizeBasis: 'delta'`): how many GiB changed and how that was found. */
  readonly delta?: DeltaEstimate;
  /** Earlier copies of the lineage the decision rests on (providers that look them up). */
  readonly lineage?: PlanLineage;
  readonly billableGiB: BillableGiB;
  readonly kms: KmsCharges;
  /** Present when the request asks for a time-based copy. */
  readonly timeBased?: { readonly completionDurationMinutes: number; readonly minimumMinutes: number };
  /** Money, only when the caller gave a price table. */
  readonly cost?: CostEstimate;
  /** Plain-words explanations of each decision, in order. */
  readonly reasons: readonly string[];
  /**
   * The provider calls that made this plan (HTTP status and request id of the last, every
   * request id, the number of calls), like the AWS SDK's `$metadata`. Set by the copier.
   */
  readonly $metadata?: ResponseMetadata;
}
