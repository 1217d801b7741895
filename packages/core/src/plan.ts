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

/** The resolved encryption of the copy. */
export interface ResolvedEncryption {
  readonly encrypted: boolean;
  /** The key the copy will have (as the provider names it), when encrypted. */
  readonly kmsKeyId?: string;
  readonly keySource: KeySource;
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
  readonly billableGiB: BillableGiB;
  readonly kms: KmsCharges;
  /** Present when the request asks for a time-based copy. */
  readonly timeBased?: { readonly completionDurationMinutes: number; readonly minimumMinutes: number };
  /** Money, only when the caller gave a price table. */
  readonly cost?: CostEstimate;
  /** Plain-words explanations of each decision, in order. */
  readonly reasons: readonly string[];
}
