import type { Clock, Logger, PriceTable, RetryPolicy, SnapshotCopier } from '@snapcopy/core';
import { SnapcopyError } from '@snapcopy/core';
import { type CopierEntry, ORCHESTRATOR_DEFAULTS, type PollOptions } from '@snapcopy/orchestrator';

/** The longest a worker may stay silent before peers take its workflows over, ms (the default is this). */
export const MAX_DEAD_AFTER_MS = 60_000;

/**
 * How a worker runs copies. Durations marked "engine clock" are on `clock` (virtual in
 * tests); the others are wall-clock milliseconds (DBOS's own timers and the database's
 * clock are wall clock).
 */
export interface WorkerOptions {
  /** The PostgreSQL database every worker of the deployment shares. */
  readonly databaseUrl: string;
  /**
   * This worker's DBOS executor id: stable across restarts of the same worker (so a restart
   * recovers its own workflows at once) and unique among live workers.
   */
  readonly executorId: string;
  /** Copiers by name; the names must be the same in every worker and every client. */
  readonly copiers: Readonly<Record<string, SnapshotCopier | CopierEntry>>;
  /** Time for journal entries, polls, backoffs and consistency windows. Default: the system clock. */
  readonly clock?: Clock;
  /**
   * Engine-clock milliseconds per wall-clock millisecond, when `clock` runs faster than
   * real time (a simulator's sped-up clock): DBOS's durable sleeps and timeouts are wall
   * clock, so engine delays are divided by it. Default 1.
   */
  readonly timeScale?: number;
  /** As the orchestrator's: status poll bounds per partition (engine clock). */
  readonly poll?: PollOptions;
  /** As the orchestrator's: plan, copy and lookup retries, always with the same token (engine clock). */
  readonly retry?: RetryPolicy;
  /** As the orchestrator's: the pause a partition shares when the provider throttles (engine clock). */
  readonly throttleBackoff?: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>;
  readonly absentConfirmations?: number;
  readonly confirmOnCompletion?: boolean;
  /** Overrides every copier's consistency window (a copier entry's own wins), ms. */
  readonly consistencyWindowMs?: number;
  readonly unknownConcurrencyLimit?: number;
  readonly prices?: PriceTable;
  /**
   * Where the in-process runner would stop and leave a copy `resumable` (its retries ran out),
   * a workflow waits this long (engine clock) and goes on as a rerun would. Default 5 min.
   */
  readonly reopenAfterMs?: number;
  /** Such rounds before the workflow ends `resumable` after all (submit the batch again to continue). Default 12. */
  readonly maxRounds?: number;
  /**
   * A tracked copy that has heard nothing from the tracker for this long reads its own
   * status (engine clock): a safety net for a tracker that cannot run. Default 15 min.
   */
  readonly statusTimeoutMs?: number;
  /** How often DBOS polls the copy queues for work, wall ms. Default 1000. */
  readonly queuePollMs?: number;
  /** The tracker wakes at most this long apart, wall ms. Default 1000. */
  readonly trackerTickMs?: number;
  /** A tracker that stopped renewing its lease for this long is replaced, wall ms. Default 10 s. */
  readonly trackerLeaseMs?: number;
  /** Heartbeat period, wall ms. Default 5 s. */
  readonly heartbeatMs?: number;
  /**
   * A worker silent this long is dead: a live one recovers its workflows, wall ms.
   * Default 60 s; at most 60 s.
   */
  readonly deadAfterMs?: number;
  /** On stop, how long to wait for steps in flight (provider calls) to end, wall ms. Default 30 s. */
  readonly stopTimeoutMs?: number;
  /** How often a policy pass reads the progress of its batch, wall ms. Default 1000. */
  readonly followPollMs?: number;
  /** What DBOS's own messages reach `logger` from. Default `warn`. */
  readonly dbosLogLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** Run the migrations before launching. Default true. */
  readonly migrate?: boolean;
  readonly random?: () => number;
  readonly logger?: Logger;
}

/** Defaults of {@link WorkerOptions}. */
export const WORKER_DEFAULTS = Object.freeze({
  timeScale: 1,
  reopenAfterMs: 5 * 60_000,
  maxRounds: 12,
  statusTimeoutMs: 15 * 60_000,
  queuePollMs: 1_000,
  trackerTickMs: 1_000,
  trackerLeaseMs: 10_000,
  heartbeatMs: 5_000,
  deadAfterMs: MAX_DEAD_AFTER_MS,
  stopTimeoutMs: 30_000,
  followPollMs: 1_000,
});

/** The settings the steps and loops use, every default filled in. */
export interface ResolvedSettings {
  readonly timeScale: number;
  readonly poll: { readonly minMs: number; readonly maxMs: number };
  readonly retry: RetryPolicy;
  readonly throttleBackoff: { readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly absentConfirmations: number;
  readonly confirmOnCompletion: boolean;
  readonly reopenAfterMs: number;
  readonly maxRounds: number;
  readonly statusTimeoutMs: number;
  readonly queuePollMs: number;
  readonly trackerTickMs: number;
  readonly trackerLeaseMs: number;
  readonly heartbeatMs: number;
  readonly deadAfterMs: number;
  readonly stopTimeoutMs: number;
  readonly followPollMs: number;
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new SnapcopyError('INVALID_REQUEST', `${name} must be a positive number of milliseconds`);
  }
  return value;
}

/** Fills in the defaults and checks the bounds (a dead-after past 60 s is refused). */
export function resolveSettings(
  o: Omit<WorkerOptions, 'databaseUrl' | 'executorId' | 'copiers'>,
): ResolvedSettings {
  const d = WORKER_DEFAULTS;
  const minMs = o.poll?.minIntervalMs ?? ORCHESTRATOR_DEFAULTS.poll.minIntervalMs;
  const heartbeatMs = positive('heartbeatMs', o.heartbeatMs ?? d.heartbeatMs);
  const deadAfterMs = positive('deadAfterMs', o.deadAfterMs ?? d.deadAfterMs);
  if (deadAfterMs > MAX_DEAD_AFTER_MS) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `deadAfterMs is at most ${MAX_DEAD_AFTER_MS} ms (a dead worker's copies wait that long for a peer)`,
    );
  }
  if (deadAfterMs < 2 * heartbeatMs) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `deadAfterMs (${deadAfterMs}) must be at least twice heartbeatMs (${heartbeatMs}), or a live worker could look dead`,
    );
  }
  return {
    timeScale: positive('timeScale', o.timeScale ?? d.timeScale),
    poll: {
      minMs,
      maxMs: Math.max(minMs, o.poll?.maxIntervalMs ?? ORCHESTRATOR_DEFAULTS.poll.maxIntervalMs),
    },
    retry: o.retry ?? ORCHESTRATOR_DEFAULTS.retry,
    throttleBackoff: o.throttleBackoff ?? ORCHESTRATOR_DEFAULTS.throttleBackoff,
    absentConfirmations: Math.max(1, o.absentConfirmations ?? ORCHESTRATOR_DEFAULTS.absentConfirmations),
    confirmOnCompletion: o.confirmOnCompletion ?? true,
    reopenAfterMs: positive('reopenAfterMs', o.reopenAfterMs ?? d.reopenAfterMs),
    maxRounds: Math.max(1, Math.floor(o.maxRounds ?? d.maxRounds)),
    statusTimeoutMs: positive('statusTimeoutMs', o.statusTimeoutMs ?? d.statusTimeoutMs),
    queuePollMs: positive('queuePollMs', o.queuePollMs ?? d.queuePollMs),
    trackerTickMs: positive('trackerTickMs', o.trackerTickMs ?? d.trackerTickMs),
    trackerLeaseMs: positive('trackerLeaseMs', o.trackerLeaseMs ?? d.trackerLeaseMs),
    heartbeatMs,
    deadAfterMs,
    stopTimeoutMs: positive('stopTimeoutMs', o.stopTimeoutMs ?? d.stopTimeoutMs),
    followPollMs: positive('followPollMs', o.followPollMs ?? d.followPollMs),
  };
}
