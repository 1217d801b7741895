import type { JournalError } from '@snapcopy/orchestrator';
import { type BatchItemState, errorFromJournal } from '@snapcopy/orchestrator/runner';

/**
 * A request's working state as a workflow step returns it: JSON, so that DBOS records it
 * and a recovered workflow replays exactly the state the step left. Errors are kept as
 * the journal keeps them.
 */
export type ItemJson = Omit<BatchItemState, 'error' | 'lastError'> & {
  readonly error?: JournalError;
  readonly lastError?: JournalError;
};

/** The JSON form (a `SnapcopyError` serializes through its `toJSON`). */
export function itemToJson(item: BatchItemState): ItemJson {
  return JSON.parse(JSON.stringify(item)) as ItemJson;
}

/** A fresh, mutable working state from the JSON form. */
export function itemFromJson(json: ItemJson): BatchItemState {
  const copy = JSON.parse(JSON.stringify(json)) as ItemJson;
  const { error, lastError, ...rest } = copy;
  return {
    ...(rest as Omit<BatchItemState, 'error' | 'lastError'>),
    // The state of a workflow recorded before images were known: a snapshot.
    kind: rest.kind ?? 'snapshot',
    ...(error ? { error: errorFromJournal(error) } : {}),
    ...(lastError ? { lastError: errorFromJournal(lastError) } : {}),
  };
}
