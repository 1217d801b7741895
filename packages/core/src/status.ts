import type { ResponseMetadata } from './provider-calls.js';
import type { SnapshotRef } from './request.js';

/** Provider-neutral state of a copy. `pending` is the only non-terminal state. */
export type CopyState = 'pending' | 'completed' | 'failed' | 'cancelled';

/** Terminal states: a copy in one of these will not change again. */
export const TERMINAL_STATES: ReadonlySet<CopyState> = new Set(['completed', 'failed', 'cancelled']);

/**
 * What every handle `copy` returns says, whatever it copies: enough, with the kind's ref
 * (region and id), to track, wait for and cancel the copy, even from another process.
 */
export interface HandleFields {
  readonly provider: string;
  /** Region of the source. */
  readonly sourceRegion: string;
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

/** Returned by `copy`: enough to track, wait for and cancel the copy, even from another process. */
export interface CopyHandle extends SnapshotRef, HandleFields {
  readonly sourceSnapshotId: string;
}

/** What a status call says about one copy, whatever it copies (next to the kind's ref). */
export interface StatusFields {
  readonly state: CopyState;
  /**
   * 0-100. An image is ready when its last backing snapshot copy is, so image adapters
   * report the least advanced one's progress where they can read it.
   */
  readonly progress: number;
  /** The provider's explanation (e.g. why a copy failed). */
  readonly message?: string;
  /** The provider's own state word (`pending`, `progressing`, `error`, `Creating`, …), or `absent`. */
  readonly rawState: string;
  /** For an image: true when every backing snapshot copy is encrypted. */
  readonly encrypted?: boolean;
  /** For an image: the key of the backing snapshot copies, when they all share one. */
  readonly kmsKeyId?: string;
  /**
   * Set when this copy was a duplicate for its client token (two runners raced) and was
   * deleted: the id of the copy kept instead, in the same region. Follow it.
   */
  readonly replacedBy?: string;
}

/** What a status call says about one copy. */
export interface CopyStatus extends SnapshotRef, StatusFields {}

/** What a cancel says, whatever it copies (next to the kind's ref). */
export interface CancelFields {
  /**
   * `immediate`: the copy and any partial data are gone now. `on-completion`: the
   * provider removes it when the copy finishes. `already-gone`: nothing was there.
   */
  readonly takesEffect: 'immediate' | 'on-completion' | 'already-gone';
  readonly message: string;
  /** The provider calls of the cancel, like the AWS SDK's `$metadata`. */
  readonly $metadata?: ResponseMetadata;
}

/** Result of `cancel`. */
export interface CancelResult extends SnapshotRef, CancelFields {}

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
