import type { ResponseMetadata } from './provider-calls.js';
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
  /**
   * Copies for the same token that another runner made at the same time, deleted so that
   * exactly one remains (providers without a native idempotency token only).
   */
  readonly duplicatesRemoved?: readonly string[];
  /** The provider calls that made or found this copy, like the AWS SDK's `$metadata`. */
  readonly $metadata?: ResponseMetadata;
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
  /**
   * Set when this copy was a duplicate for its client token (two runners raced) and was
   * deleted: the id of the copy kept instead, in the same region. Follow it.
   */
  readonly replacedBy?: string;
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
  /** The provider calls of the cancel, like the AWS SDK's `$metadata`. */
  readonly $metadata?: ResponseMetadata;
}

/**
 * A provider's progress text (`"56%"`) as a whole percentage clamped to 0-100; `fallback`
 * when it is missing or unreadable. `toWhole` says how a fraction becomes whole (providers
 * differ: EC2 rounds, ECS truncates so that 99.6% never reads as done).
 */
export function parseProgressPercent(
  progress: string | undefined,
  fallback: number,
  toWhole: (n: number) => number = Math.round,
): number {
  const n = progress === undefined ? Number.NaN : Number.parseFloat(progress);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(100, Math.max(0, toWhole(n)));
}
