import { systemClock } from '@snapcopy/core';
import { type PolicyPassOptions, type PolicyPassReport, runPolicyPass } from './pass.js';

/** What {@link watchPolicy} takes: a pass's options, how often, and what to do with each report. */
export interface WatchPolicyOptions extends Omit<PolicyPassOptions, 'mode'> {
  /** Time between the start of one pass and the next, ms. */
  readonly everyMs: number;
  /** Called after each pass (a failed pass gives its error instead). */
  readonly onPass?: (report: PolicyPassReport | undefined, error?: unknown) => void;
  /** Stop after this many passes (default: until the signal aborts). */
  readonly maxPasses?: number;
}

/**
 * Runs a pass every `everyMs` until the signal aborts (SIGTERM in the CLI). A pass that
 * fails is reported and the next one runs on time; a pass stopped mid-way leaves its
 * copies in the journal, and the next pass (here or after a restart) resumes them first.
 * Sleeps on the injected clock.
 */
export async function watchPolicy(options: WatchPolicyOptions): Promise<number> {
  const clock = options.clock ?? systemClock;
  let passes = 0;
  while (!options.signal?.aborted && (options.maxPasses === undefined || passes < options.maxPasses)) {
    const started = clock.now();
    try {
      options.onPass?.(await runPolicyPass({ ...options, mode: 'run' }));
    } catch (err) {
      options.onPass?.(undefined, err);
    }
    passes += 1;
    if (options.maxPasses !== undefined && passes >= options.maxPasses) break;
    const wait = Math.max(0, started + options.everyMs - clock.now());
    try {
      await clock.sleep(wait, options.signal);
    } catch {
      break;
    }
  }
  return passes;
}
