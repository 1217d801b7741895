/**
 * Another worker as this one sees it, from the executors table (silences are measured on
 * the database's clock, so workers' clocks never disagree).
 */
export interface ExecutorFacts {
  readonly executorId: string;
  readonly appVersion: string;
  /** Ms since its last heartbeat; undefined when it was marked gone (a clean stop, or `snapcopy recover`). */
  readonly silentMs: number | undefined;
  /** A worker claimed it since its last heartbeat. */
  readonly claimedSinceLastBeat: boolean;
  /** Ms since the claimant's last heartbeat (undefined: no claimant, or the claimant is gone). */
  readonly claimantSilentMs?: number | undefined;
}

/** What a worker does about another. */
export interface TakeoverVerdict {
  readonly verdict: 'take-over' | 'leave';
  readonly rule: string;
}

/**
 * Decides whether this worker takes another's workflows over (each rule is a row of
 * `test/takeover-rules.test.ts` and of docs/deploy.md):
 *
 * 1. itself → leave.
 * 2. another workflow version → leave: DBOS recovers only workflows of its own version, so
 *    a worker of that version must do it.
 * 3. claimed since its last beat by a worker that is beating → leave: that worker recovers it.
 * 4. marked gone (it stopped cleanly, or an operator ran `snapcopy recover`) → take over now.
 * 5. silent for less than `deadAfterMs` → leave: it is alive.
 * 6. this worker has itself been beating for less than `deadAfterMs` → leave: after a
 *    database outage every worker looks silent; a live peer has had as long to beat again.
 * 7. otherwise (silent for `deadAfterMs`) → take over.
 */
export function judgeExecutor(input: {
  readonly self: string;
  readonly version: string;
  /** How long this worker has been beating without a failure, ms. */
  readonly selfBeatingForMs: number;
  readonly deadAfterMs: number;
  readonly other: ExecutorFacts;
}): TakeoverVerdict {
  const { other, deadAfterMs } = input;
  if (other.executorId === input.self) return { verdict: 'leave', rule: 'self' };
  if (other.appVersion !== input.version) return { verdict: 'leave', rule: 'other-version' };
  if (
    other.claimedSinceLastBeat &&
    other.claimantSilentMs !== undefined &&
    other.claimantSilentMs < deadAfterMs
  ) {
    return { verdict: 'leave', rule: 'claimed' };
  }
  if (other.silentMs === undefined) return { verdict: 'take-over', rule: 'marked-gone' };
  if (other.silentMs < deadAfterMs) return { verdict: 'leave', rule: 'alive' };
  if (input.selfBeatingForMs < deadAfterMs) return { verdict: 'leave', rule: 'guard' };
  return { verdict: 'take-over', rule: 'silent' };
}
