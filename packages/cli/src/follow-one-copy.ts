import type { WaitFlags } from './cli-flags.js';
import {
  exitCodeForOutcomes,
  type FollowedCopy,
  type FollowOutcome,
  followCopies,
  outcomeJson,
  outcomeWords,
  waitErrorLine,
} from './follow-copies.js';
import { onInterrupt } from './interrupt.js';
import { seconds } from './output/format.js';
import type { Output } from './output/output-mode.js';
import { createProgressBoard } from './output/progress-board.js';
import { writeErrorLine } from './report-error.js';
import { rowsTable } from './output/tables.js';

/** One followed copy's end: its outcome, the exit code for it, and the outcome as JSON. */
export interface FollowedOne {
  readonly outcome: FollowOutcome;
  readonly code: number;
  readonly json: Record<string, unknown>;
}

/**
 * Follows a single copy on a progress board until it ends; SIGINT/SIGTERM stop the wait
 * (not the copy). `signal` is the caller's interrupt, when it already listens for them.
 * The board and the signal handlers are released however the wait ends.
 */
export async function followOneCopy(
  output: Output,
  copy: FollowedCopy,
  flags: WaitFlags,
  signal?: AbortSignal,
): Promise<FollowedOne> {
  const interrupt = signal === undefined ? onInterrupt() : undefined;
  const board = createProgressBoard(output);
  const [outcome] = await followCopies([copy], board, {
    flags,
    signal: signal ?? (interrupt as ReturnType<typeof onInterrupt>).signal,
  }).finally(() => {
    board.stop();
    interrupt?.dispose();
  });
  if (!outcome) throw new Error('no outcome for the copy');
  return { outcome, code: exitCodeForOutcomes([outcome]), json: outcomeJson(outcome) };
}

/**
 * The human end of a followed copy: a one-row table (`timeHeader` names the elapsed
 * column) and, when the wait ended in an error, the stderr line for it.
 */
export function reportFollowedCopy(
  output: Output,
  copy: FollowedCopy,
  outcome: FollowOutcome,
  timeHeader: string,
): void {
  output.line(
    rowsTable(
      output.mode,
      ['copy', 'outcome', timeHeader],
      [[copy.label, outcomeWords(outcome), seconds(outcome.elapsedMs)]],
    ),
  );
  if (outcome.error) writeErrorLine(waitErrorLine(outcome.error, copy.copier.provider, copy.ref));
  else if (outcome.status && outcome.status.state !== 'completed') {
    // Scripts read stderr for why a command failed: a copy that ended badly says so there too.
    const why = outcome.status.message ? `: ${outcome.status.message}` : '';
    const ended = outcome.status.state === 'cancelled' ? 'was cancelled' : outcome.status.state;
    writeErrorLine(`snapcopy: the copy ${copy.label} ${ended}${why}`);
  }
}
