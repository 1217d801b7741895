import {
  type CopyStatus,
  is,
  isSnapcopyError,
  SnapcopyError,
  type SnapshotCopier,
  type SnapshotRef,
} from '@snapcopy/core';
import type { WaitFlags } from './cli-flags.js';
import { EXIT_CODES, exitCodeForError } from './exit-codes.js';
import type { ProgressBoard } from './output/progress-board.js';

/** One copy to follow to its end. */
export interface FollowedCopy {
  readonly key: string;
  readonly label: string;
  readonly ref: SnapshotRef;
  readonly copier: SnapshotCopier;
}

/** How a followed copy ended: its terminal status, or the error that stopped the wait. */
export interface FollowOutcome {
  readonly key: string;
  readonly status?: CopyStatus;
  readonly error?: SnapcopyError;
  readonly elapsedMs: number;
}

/** Poll delays for `wait` from the flags: `--poll-ms` sets the first, growing to 10x it (≤ 60 s). */
export function waitDelays(flags: WaitFlags): {
  minDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
} {
  return {
    ...(flags.pollMs === undefined
      ? {}
      : {
          minDelayMs: flags.pollMs,
          maxDelayMs: Math.max(flags.pollMs, Math.min(60_000, flags.pollMs * 10)),
        }),
    ...(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout }),
  };
}

/**
 * The wait's `TIMEOUT` when the CLI's real-time `--timeout` deadline aborted it (a
 * `CANCELLED`, perhaps with a status call in flight); the copy was left running.
 */
function timedOutInFlight(err: SnapcopyError, c: FollowedCopy, timeoutMs: number): SnapcopyError {
  return new SnapcopyError(
    'TIMEOUT',
    `gave up waiting for ${c.ref.snapshotId} after ${timeoutMs} ms; the copy was left running`,
    {
      provider: c.copier.provider,
      cause: err,
      ...(err.details?.lastStatus === undefined ? {} : { details: { lastStatus: err.details.lastStatus } }),
    },
  );
}

/**
 * Waits for every copy at once, feeding each status read to the board. Never throws for
 * a copy: a wait that ends in an error (timeout, interrupt, provider) is that copy's outcome.
 * `--timeout` is also a real-time deadline on the call in flight: a hung status call is
 * abandoned at the deadline rather than at the end of its request timeout.
 */
export async function followCopies(
  copies: readonly FollowedCopy[],
  board: ProgressBoard,
  options: { readonly flags: WaitFlags; readonly signal?: AbortSignal; readonly now?: () => number },
): Promise<FollowOutcome[]> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.flags.timeout;
  const deadline = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  const signals = [options.signal, deadline].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length === 0 ? undefined : AbortSignal.any(signals);
  for (const c of copies) board.add(c.key, c.label);
  return Promise.all(
    copies.map(async (c): Promise<FollowOutcome> => {
      const started = now();
      try {
        const status = await c.copier.wait(c.ref, {
          ...waitDelays(options.flags),
          ...(signal === undefined ? {} : { signal }),
          onProgress: (s) => board.update(c.key, s),
        });
        board.update(c.key, status);
        return { key: c.key, status, elapsedMs: now() - started };
      } catch (thrown) {
        if (!isSnapcopyError(thrown)) throw thrown;
        const err =
          is(thrown, 'CANCELLED') && deadline?.aborted && options.signal?.aborted !== true
            ? timedOutInFlight(thrown, c, timeoutMs as number)
            : thrown;
        board.fail(c.key, `${err.code}: ${err.message}`);
        return { key: c.key, error: err, elapsedMs: now() - started };
      }
    }),
  );
}

/** 0 when every copy completed; otherwise the code of the first copy that did not. */
export function exitCodeForOutcomes(outcomes: readonly FollowOutcome[]): number {
  for (const o of outcomes) {
    if (o.error) return exitCodeForError(o.error.code);
    if (o.status?.state !== 'completed') return EXIT_CODES.copyFailed;
  }
  return EXIT_CODES.success;
}

/** An outcome in words: `completed`, `failed: …`, `TIMEOUT: …`. */
export function outcomeWords(o: FollowOutcome): string {
  if (o.error) return `${o.error.code}: ${o.error.message}`;
  if (!o.status) return 'unknown';
  return o.status.message && o.status.state !== 'completed'
    ? `${o.status.state}: ${o.status.message}`
    : o.status.state;
}

/** An outcome as JSON: the status, or the error's JSON view. */
export function outcomeJson(o: FollowOutcome): Record<string, unknown> {
  return {
    ...(o.status === undefined ? {} : { status: o.status }),
    ...(o.error === undefined ? {} : { error: o.error.toJSON() }),
    elapsedMs: o.elapsedMs,
  };
}

/**
 * The stderr line for a wait that ended in an error. An interrupted wait says how to pick
 * the copy up again, since the copy itself keeps running.
 */
export function waitErrorLine(error: SnapcopyError, provider: string, ref: SnapshotRef): string {
  if (error.code === 'CANCELLED') {
    return `snapcopy: CANCELLED: interrupted; the copy ${ref.region}/${ref.snapshotId} keeps running (follow it with: snapcopy wait --provider ${provider} --to ${ref.region} --snapshot ${ref.snapshotId})`;
  }
  return `snapcopy: ${error.code}: ${error.message}`;
}
