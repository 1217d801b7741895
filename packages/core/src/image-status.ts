import type { ImageRef } from './image-request.js';
import type { CopyState } from './status.js';

/** Returned by `copy`: enough to track, wait for and cancel the image copy, even from another process. */
export interface ImageCopyHandle extends ImageRef {
  readonly provider: string;
  /** Region of the source image. */
  readonly sourceRegion: string;
  readonly sourceImageId: string;
  /** The idempotency token the copy was made with. */
  readonly clientToken: string;
  /** ISO time the copy was requested. */
  readonly startedAt: string;
  /** True when `copy` found an existing copy for the token instead of making one. */
  readonly reused: boolean;
  /** Copies for the same token that another runner made at the same time, deleted (emulated tokens only). */
  readonly duplicatesRemoved?: readonly string[];
}

/** The progress of one backing snapshot copy of an image copy. */
export interface BackingSnapshotProgress {
  /** The device the snapshot backs, when the provider says. */
  readonly deviceName?: string;
  /** The snapshot copy's id; absent while the provider has not made it yet (a queued copy). */
  readonly snapshotId?: string;
  /** 0-100. */
  readonly progress: number;
  readonly state?: CopyState;
  readonly encrypted?: boolean;
  readonly kmsKeyId?: string;
}

/** What a status call says about one image copy. */
export interface ImageCopyStatus {
  readonly region: string;
  readonly imageId: string;
  readonly state: CopyState;
  /**
   * 0-100: how far the copy is towards completion. The image is ready when its last backing
   * snapshot copy is, so adapters report the least advanced one's progress where they can
   * read it (and the provider's own figure when it is lower).
   */
  readonly progress: number;
  /** The provider's explanation (e.g. why a copy failed). */
  readonly message?: string;
  /** The provider's own state word (`pending`, `Creating`, `failed`, …), or `absent`. */
  readonly rawState: string;
  /** True when every backing snapshot copy is encrypted. */
  readonly encrypted?: boolean;
  /** The key of the backing snapshot copies, when they all share one. */
  readonly kmsKeyId?: string;
  /** Set when this copy was a duplicate for its client token and was deleted: the copy kept. */
  readonly replacedBy?: string;
  /** Per backing snapshot, when the provider reports them. */
  readonly snapshots?: readonly BackingSnapshotProgress[];
}

/** Result of `cancel` for an image copy. */
export interface ImageCancelResult {
  readonly region: string;
  readonly imageId: string;
  /**
   * `immediate`: the image is gone (removed or deregistered) now. `on-completion`: the
   * provider removes it when the copy finishes. `already-gone`: nothing was there.
   */
  readonly takesEffect: 'immediate' | 'on-completion' | 'already-gone';
  /** What becomes of the backing snapshot copies (see the manifest's `snapshotsOnCancel`). */
  readonly snapshots: 'removed' | 'removed-on-completion' | 'kept' | 'none';
  readonly message: string;
}
