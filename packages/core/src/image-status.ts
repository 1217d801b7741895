import type { ImageRef } from './image-request.js';
import type { CancelFields, CopyState, HandleFields, StatusFields } from './status.js';

/** Returned by `copy`: enough to track, wait for and cancel the image copy, even from another process. */
export interface ImageCopyHandle extends ImageRef, HandleFields {
  readonly sourceImageId: string;
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
export interface ImageCopyStatus extends ImageRef, StatusFields {
  /** Per backing snapshot, when the provider reports them. */
  readonly snapshots?: readonly BackingSnapshotProgress[];
}

/** Result of `cancel` for an image copy. */
export interface ImageCancelResult extends ImageRef, CancelFields {
  /** What becomes of the backing snapshot copies (see the manifest's `snapshotsOnCancel`). */
  readonly snapshots: 'removed' | 'removed-on-completion' | 'kept' | 'none';
}
