import type { CostEstimate } from './cost.js';
import type { ImageCopyRequest } from './image-request.js';
import type {
  BillableGiB,
  DeltaEstimate,
  KmsCharges,
  ResolvedEncryption,
  SizeBasis,
  SourceSnapshotFacts,
  Transfer,
} from './plan.js';

/** What the provider knows about the source image. */
export interface SourceImageFacts {
  readonly region: string;
  readonly imageId: string;
  readonly name?: string;
  /** Account that owns the image. */
  readonly ownerAccount?: string;
  /** `owned` by the caller, or `shared` with the caller by another account. */
  readonly ownership: 'owned' | 'shared';
  /**
   * Where the root volume comes from: `ebs` (backed by snapshots) or `instance-store`
   * (AWS images with no snapshots). Providers whose images always have snapshots say `ebs`.
   */
  readonly rootDeviceType: 'ebs' | 'instance-store';
  /** The image's own tags, as the caller sees them. */
  readonly tags: Readonly<Record<string, string>>;
}

/** What a provider reads off its source image: its own fields, not yet tied to the request. */
export interface SourceImageReading {
  readonly rootDeviceType: SourceImageFacts['rootDeviceType'];
  readonly tags: SourceImageFacts['tags'];
  /** The image's name, when it has one. */
  readonly name: string | undefined;
  /** The owning account's id, when the provider says. */
  readonly ownerAccount: string | undefined;
}

/** The source image's facts: the request's ref, the caller's ownership and what the provider read. */
export function sourceImageFacts(
  ref: { readonly region: string; readonly imageId: string },
  ownership: SourceImageFacts['ownership'],
  read: SourceImageReading,
): SourceImageFacts {
  return {
    region: ref.region,
    imageId: ref.imageId,
    ownership,
    rootDeviceType: read.rootDeviceType,
    tags: read.tags,
    ...(read.name ? { name: read.name } : {}),
    ...(read.ownerAccount ? { ownerAccount: read.ownerAccount } : {}),
  };
}

/** The plan of one backing snapshot of an image copy: the snapshot rules, per snapshot. */
export interface BackingSnapshotPlan {
  /** The device the snapshot backs (`/dev/xvda`), as the image maps it. */
  readonly deviceName: string;
  readonly source: SourceSnapshotFacts;
  readonly encryption: ResolvedEncryption;
  readonly transfer: Transfer;
  readonly sizeBasis: SizeBasis;
  readonly billableGiB: BillableGiB;
  /** For an incremental copy (`sizeBasis: 'delta'`): how many GiB changed and how that was found. */
  readonly delta?: DeltaEstimate;
  readonly kms: KmsCharges;
  /** Plain-words explanations of this snapshot's decisions, in order. */
  readonly reasons: readonly string[];
}

/** The tags the new image and its backing snapshot copies will carry. */
export interface PlannedImageTags {
  /** Every tag of the new image: carried from the source, the caller's, snapcopy's. */
  readonly image: Readonly<Record<string, string>>;
  /** Every tag of each backing snapshot copy. */
  readonly snapshots: Readonly<Record<string, string>>;
  /** Keys carried over from the source image (`copySourceTags`). */
  readonly carriedFromSource: readonly string[];
}

/** What an image copy will do and what it will cost, computed without changing anything. */
export interface ImageCopyPlan {
  readonly provider: string;
  readonly request: ImageCopyRequest;
  readonly source: SourceImageFacts;
  readonly destination: { readonly region: string; readonly account?: string };
  /** One entry per backing snapshot, in the image's device order (none for instance-store images). */
  readonly snapshots: readonly BackingSnapshotPlan[];
  /** The sum over the backing snapshots. */
  readonly billableGiB: BillableGiB;
  /** Charges from the key service over every backing snapshot copy. */
  readonly kms: KmsCharges;
  readonly tags: PlannedImageTags;
  /** Present when the request asks for a time-based copy: the duration applies to each snapshot. */
  readonly timeBased?: {
    readonly completionDurationMinutes: number;
    /** The shortest duration the largest backing snapshot allows. */
    readonly minimumMinutes: number;
    /** Time-based snapshot copies the image copy starts (one per backing snapshot). */
    readonly snapshotCopies: number;
  };
  /** Money, only when the caller gave a price table. */
  readonly cost?: CostEstimate;
  /** Plain-words explanations of the image-level decisions, in order. */
  readonly reasons: readonly string[];
}

const add = (a: BillableGiB, b: BillableGiB): BillableGiB => ({
  transfer: round(a.transfer + b.transfer),
  storage: round(a.storage + b.storage),
  timeBased: round(a.timeBased + b.timeBased),
});
const round = (n: number): number => Math.round(n * 1e6) / 1e6;

/** The billable GiB and key charges of an image copy: the sums over its backing snapshots. */
export function totalOfSnapshots(snapshots: readonly BackingSnapshotPlan[]): {
  billableGiB: BillableGiB;
  kms: KmsCharges;
} {
  return {
    billableGiB: snapshots.reduce((sum, s) => add(sum, s.billableGiB), {
      transfer: 0,
      storage: 0,
      timeBased: 0,
    }),
    kms: {
      customerManagedKey: snapshots.some((s) => s.kms.customerManagedKey),
      serviceKey: snapshots.some((s) => s.kms.serviceKey),
    },
  };
}
