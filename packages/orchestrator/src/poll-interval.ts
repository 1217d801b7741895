/**
 * What the scheduler knows about the progress of one running copy: a baseline reading
 * and the latest one. Progress readings are whole percents rounded down, so each one
 * means "at least p, less than p + 1".
 */
export interface ProgressSample {
  /** Time of the baseline, ms. */
  readonly baseAt: number;
  /** Progress at the baseline, 0-100. */
  readonly baseProgress: number;
  /**
   * Uncertainty of the baseline in percent: 0 when the baseline is the copy's start
   * (progress exactly 0), 1 when it is a rounded-down reading.
   */
  readonly baseUncertainty: number;
  /** Time of the latest reading, ms. */
  readonly at: number;
  /** Latest progress, 0-100 (whole percents). */
  readonly progress: number;
  /**
   * How long the copy is expected to take from the baseline, ms, learned from copies of
   * the same queue that finished; used only until the first reading.
   */
  readonly expectedMs?: number;
}

/** Share of the expected duration at which a fresh copy is first read. */
export const FIRST_READ_SHARE = 0.8;

/** Completion may be overshot by this share of the copy's whole duration (or the shortest interval). */
export const OVERSHOOT_SHARE = 0.01;

/** Bounds on the time a copy still needs from its latest reading, ms. */
export interface RemainingEstimate {
  /** It cannot finish sooner than this (if it keeps its average rate). */
  readonly lowerMs: number;
  /** It should finish by then (Infinity while no progress was seen). */
  readonly upperMs: number;
}

/**
 * Bounds on the time left, from the average rate between baseline and latest reading.
 * The fastest rate consistent with the readings gives the lower bound, the slowest the
 * upper one.
 */
export function estimateRemaining(sample: ProgressSample): RemainingEstimate {
  const elapsed = sample.at - sample.baseAt;
  const p = Math.min(100, Math.max(0, sample.progress));
  if (p >= 100) return { lowerMs: 0, upperMs: 0 };
  if (elapsed <= 0) return { lowerMs: 0, upperMs: Number.POSITIVE_INFINITY };
  const fastest = (p + 1 - sample.baseProgress) / elapsed;
  const slowest = (p - sample.baseProgress - sample.baseUncertainty) / elapsed;
  const lowerMs = fastest > 0 ? Math.max(0, (100 - p - 1) / fastest) : 0;
  const upperMs = slowest > 0 ? (100 - p) / slowest : Number.POSITIVE_INFINITY;
  return { lowerMs, upperMs: Math.max(lowerMs, upperMs) };
}

/** Bounds on the delay between two status calls of one queue. */
export interface PollBounds {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * When a copy next needs a status read, as an absolute time. While the window between
 * the earliest and latest plausible completion is wider than the tolerance (the shortest
 * poll interval, or {@link OVERSHOOT_SHARE} of the copy's duration if longer), poll at
 * the earliest (the reading then narrows the window); once it is narrower, poll at the
 * latest, so a single read finds the copy finished. A copy not
 * read since its start is read at {@link FIRST_READ_SHARE} of its expected duration, or
 * after the shortest interval when nothing is expected.
 */
export function nextReadAt(sample: ProgressSample, bounds: PollBounds): number {
  // Nothing read since the baseline: read when most of the expected duration is over,
  // or, with no expectation, after one shortest interval to learn how fast it goes.
  if (sample.at <= sample.baseAt) {
    const first = (sample.expectedMs ?? 0) * FIRST_READ_SHARE;
    return sample.at + Math.min(bounds.maxMs, Math.max(bounds.minMs, first));
  }
  const { lowerMs, upperMs } = estimateRemaining(sample);
  const tolerance = Math.max(bounds.minMs, OVERSHOOT_SHARE * (sample.at - sample.baseAt + upperMs));
  const wait = upperMs - lowerMs <= tolerance ? upperMs : lowerMs;
  return sample.at + Math.min(wait, bounds.maxMs);
}

/**
 * Delay until a queue's next status call: the soonest time any of its copies needs a
 * read, clamped to [minMs, maxMs] after the last call. One call reads them all.
 */
export function nextPollDelay(samples: readonly ProgressSample[], now: number, bounds: PollBounds): number {
  let soonest = Number.POSITIVE_INFINITY;
  for (const s of samples) soonest = Math.min(soonest, nextReadAt(s, bounds));
  const delay = Number.isFinite(soonest) ? Math.ceil(soonest - now) : bounds.maxMs;
  return Math.min(bounds.maxMs, Math.max(bounds.minMs, delay));
}
