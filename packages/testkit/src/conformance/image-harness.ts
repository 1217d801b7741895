import type { ImageCopier } from '@snapcopy/core';
import type {
  Awaitable,
  FixtureKey,
  FixturesBase,
  HarnessBase,
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
export interface ImageConformanceFixtures extends FixturesBase {
  /** Creates an available source image over completed snapshots directly in the cloud. */
  createSourceImage(spec?: SourceImageSpec): Awaitable<SourceImageFixture>;
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

/**
 * A fresh, isolated world for one image test: an image copier and the cloud it talks to.
 * Its faults name `copy` for the image copy call and `status` for the image describe call.
 */
export interface ImageConformanceHarness extends HarnessBase<ImageCopier> {
  readonly fixtures: ImageConformanceFixtures;
  readonly truth: ImageConformanceTruth;
}

/** Builds a fresh image harness; called once per test. */
export type ImageConformanceHarnessFactory = () => Awaitable<ImageConformanceHarness>;
