import type { ImageCopier } from '@snapcopy/core';
import type {
  Awaitable,
  ConformanceFaults,
  ConformanceLogLine,
  ConformanceTime,
  FixtureKey,
  RegionKeys,
  TruthRequest,
  TruthSnapshot,
} from './harness.js';

/** One disk (backing snapshot) of a fixture image. */
export interface SourceDiskSpec {
  /** Full size of its snapshot in GiB; default 1. */
  readonly sizeGiB?: number;
  /** `none` = unencrypted (default); `default` = the cloud's default key; `customer` = a customer key. */
  readonly key?: FixtureKey;
}

/** What {@link ImageConformanceFixtures.createSourceImage} makes. */
export interface SourceImageSpec {
  /** Region of the image; default: the first of the fixtures' regions. */
  readonly region?: string;
  /** Its disks, root first; default one unencrypted disk of 1 GiB. */
  readonly disks?: readonly SourceDiskSpec[];
  /** `shared` = owned by another account and shared with the caller (its snapshots too where the cloud needs it). */
  readonly ownership?: 'owned' | 'shared';
  /** The image's own tags. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A source image a fixture made, as the cloud holds it. */
export interface SourceImageFixture {
  /** What to put in `ImageCopyRequest.source` (with `account` when the image is shared). */
  readonly ref: { readonly region: string; readonly imageId: string; readonly account?: string };
  /** Its backing snapshots, in disk order. */
  readonly snapshots: readonly {
    readonly snapshotId: string;
    readonly encrypted: boolean;
    readonly kmsKeyId?: string;
    readonly sizeGiB: number;
  }[];
}

/** Builds the cloud-side state a test starts from. Fixtures never go through the copier. */
export interface ImageConformanceFixtures {
  /** At least two regions the caller may use; the first is the default source region. */
  readonly regions: readonly [string, string, ...string[]];
  /** An account id, not the caller's, for requests that name a source owner. */
  readonly otherAccountId: string;
  /** Creates an available source image over completed snapshots directly in the cloud. */
  createSourceImage(spec?: SourceImageSpec): Awaitable<SourceImageFixture>;
  /** Keys the caller can name in a region. */
  keys(region: string): RegionKeys;
  /** A well-formed image id that does not exist in `region`. */
  missingImageId(region: string): string;
}

/** An image as the cloud itself holds it. */
export interface TruthImage {
  readonly id: string;
  readonly region: string;
  /** Owner account. */
  readonly account: string;
  /**
   * The cloud's state, normalized: `removed` is an image the cloud still shows but that can no
   * longer be used (an AMI deregistered a short while ago).
   */
  readonly state: 'pending' | 'completed' | 'failed' | 'removed';
  readonly tags: Readonly<Record<string, string>>;
  /** Its backing snapshots, in disk order (absent while the cloud has not made them yet). */
  readonly snapshotIds: readonly string[];
  /** Set for images made by a copy. */
  readonly copyOf?: { readonly region: string; readonly imageId: string };
  /** The idempotency token the cloud recorded (native token or token tag). */
  readonly clientToken?: string;
}

/** Reads the cloud-side state directly, never through the copier under test. */
export interface ImageConformanceTruth {
  /** An image, or undefined when the cloud has no such image (deleted, or never made). */
  image(region: string, imageId: string): Awaitable<TruthImage | undefined>;
  /** Every image that exists (or is still shown) and was made by copying. */
  imageCopies(): Awaitable<readonly TruthImage[]>;
  /** Every image made by copying with this client token. */
  imageCopiesWithToken(clientToken: string): Awaitable<readonly TruthImage[]>;
  /** A snapshot (a backing snapshot of an image), or undefined when the cloud has none. */
  snapshot(region: string, snapshotId: string): Awaitable<TruthSnapshot | undefined>;
  /** Whether two key references (id, ARN, alias) name the same key in `region`. */
  sameKey(region: string, a: string, b: string): Awaitable<boolean>;
  /**
   * Every request the cloud received, oldest first. The image harness maps the image copy
   * call to `copy`, the image describe call to `status`, the calls that remove an image copy
   * to `delete`, and the reads of source snapshots to `describe-source`.
   */
  requests(): Awaitable<readonly TruthRequest[]>;
}

/** A fresh, isolated world for one image test: an image copier and the cloud it talks to. */
export interface ImageConformanceHarness {
  /** The copier under test, with credentials whose secret is {@link sentinelSecret}. */
  readonly copier: ImageCopier;
  readonly fixtures: ImageConformanceFixtures;
  readonly truth: ImageConformanceTruth;
  readonly time: ConformanceTime;
  /** Faults by neutral operation: `copy` is the image copy call, `status` the image describe call. */
  readonly faults: ConformanceFaults;
  /** A copier like {@link copier} whose credentials the cloud rejects (its secret is also the sentinel). */
  makeCopierWithBadCredentials(): Awaitable<ImageCopier>;
  readonly sentinelSecret: string;
  readonly logs: readonly ConformanceLogLine[];
  close(): Awaitable<void>;
}

/** Builds a fresh image harness; called once per test. */
export type ImageConformanceHarnessFactory = () => Awaitable<ImageConformanceHarness>;
