import type { SnapshotRef } from './request.js';

/** Provider-neutral state of a copy. `pending` is the only non-terminal state. */
export type CopyState = 'pending' | 'completed' | 'failed' | 'cancelled';

/** Terminal states: a copy in one of these will not change again. */
export const TERMINAL_STATES: ReadonlySet<CopyState> = new Set(['completed', 'failed', 'cancelled']);

/** Returned by `copy`: enough to track, wait for and cancel the copy, even from another process. */
export interface CopyHandle extends SnapshotRef {
  readonly provider: string;
  /** Region of the source snapshot. */
  readonly sourceRegion: string;
  readonly sourceSnapshotId: string;
  /** The idempotency token the copy was made with. */
  readonly clientToken: string;
  /** ISO time the copy was requested. */
  readonly startedAt: string;
  /** True when `copy` found an existing copy for the token instead of making one. */
  readonly reused: boolean;
}

/** What a status call says about one copy. */
export interface CopyStatus {
  readonly region: string;
  readonly snapshotId: string;
  readonly state: CopyState;
  /** 0-100. */
  readonly progress: number;
  /** The provider's explanation (e.g. why a copy failed). */
  readonly message?: string;
  /** The provider's own state word (`pending`, `progressing`, `error`, …), or `absent`. */
  readonly rawState: string;
  readonly encrypted?: boolean;
  readonly kmsKeyId?: string;
}

/** Result of `cancel`. */
export interface CancelResult {
  readonly region: string;
  readonly snapshotId: string;
  /**
   * `immediate`: the copy and any partial data are gone now. `on-completion`: the
   * provider deletes it when the copy finishes. `already-gone`: nothing was there.
   */
  readonly takesEffect: 'immediate' | 'on-completion' | 'already-gone';
  readonly message: string;
}
