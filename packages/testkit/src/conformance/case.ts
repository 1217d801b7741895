import type { ConformanceHarness, KeyFailureMode } from './harness.js';

/** Settings of one suite run. Typed facts about the provider instead of ad-hoc skips. */
export interface SnapshotCopierConformanceOptions {
  /** How an inaccessible key surfaces on this cloud (see {@link KeyFailureMode}). */
  readonly keyFailure: KeyFailureMode;
  /**
   * Throttling errors injected when a test wants `THROTTLED` to reach the caller: more
   * than the copier's own retries can absorb. Default 10.
   */
  readonly throttleCount?: number;
  /** Shortest delay between `wait` polls, ms. Default 5 000 (virtual time). */
  readonly pollDelayMs?: number;
  /** Step and bound for loops that move time until the cloud reaches a state. Default 60 000 ms × 200. */
  readonly timeStepMs?: number;
  readonly maxTimeSteps?: number;
  /**
   * Cases not to run, each with the reason shown in the test name. The aim is none: a
   * false capability is asserted by the suite, never skipped.
   */
  readonly skip?: Readonly<Partial<Record<string, string>>>;
}

/** What a case gets besides the harness. */
export interface ConformanceContext {
  readonly options: Required<Omit<SnapshotCopierConformanceOptions, 'skip'>>;
  /** Every error a case caught; the runner checks none of them carries the sentinel secret. */
  readonly errors: unknown[];
}

/** One test of a suite of either kind, on a harness `H`, runnable with or without vitest. */
export interface ConformanceCaseOf<H> {
  /** Stable id, e.g. `capability.tagsOnCopy` (use it in `options.skip`). */
  readonly id: string;
  /** Group, e.g. `capabilities`. */
  readonly group: string;
  /** What it checks, in words. */
  readonly name: string;
  run(harness: H, context: ConformanceContext): Promise<void>;
}

/** One test of the SnapshotCopier suite. */
export type ConformanceCase = ConformanceCaseOf<ConformanceHarness>;

/** A case as its group's list writes it: everything but the group, which the list gives. */
export type GroupedCase<H> = Omit<ConformanceCaseOf<H>, 'group'>;

/**
 * The cases of one group, in order, each given `group`: the group is said once for the list
 * rather than again in every case. Ids and names stay as each case writes them.
 */
export function caseGroup<H>(group: string, cases: readonly GroupedCase<H>[]): ConformanceCaseOf<H>[] {
  return cases.map((c) => ({ id: c.id, group, name: c.name, run: c.run }));
}

/** Fills option defaults. */
export function resolveConformanceOptions(
  options: SnapshotCopierConformanceOptions,
): ConformanceContext['options'] {
  return {
    keyFailure: options.keyFailure,
    throttleCount: options.throttleCount ?? 10,
    pollDelayMs: options.pollDelayMs ?? 5_000,
    timeStepMs: options.timeStepMs ?? 60_000,
    maxTimeSteps: options.maxTimeSteps ?? 200,
  };
}
