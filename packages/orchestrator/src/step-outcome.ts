import type { RetryPolicy, SnapcopyError } from '@snapcopy/core';
import { type AfterError, decideAfterError } from './after-error.js';
import type { BatchItemState } from './batch-item.js';
import { type AnyCopyHandle, copyIdOf } from './copy-kind.js';
import type { StepResult } from './lifecycle.js';
import type { ProgressSample } from './poll-interval.js';
import type { LookupAnswer } from './status-judgment.js';
import type { BatchEvent } from './types.js';

/*
 * What a lifecycle step's outcome becomes as data, the same for every runner of the steps
 * (the in-process queue and a durable workflow engine): the events they emit and the
 * answer a lookup gives the status judgments.
 */

/** Which count of calls, and whether a copy may exist, a failed call of each stage is judged by. */
const STAGE_FACTS: Record<
  'plan' | 'copy' | 'lookup',
  (item: BatchItemState) => { readonly attempts: number; readonly mayExist: boolean }
> = {
  plan: (item) => ({ attempts: item.planAttempts, mayExist: false }),
  copy: (item) => ({ attempts: item.attempts, mayExist: item.mayExistSince !== undefined }),
  lookup: (item) => ({ attempts: item.lookupAttempts, mayExist: true }),
};

/** What follows a failed plan, copy or lookup call of a request ({@link decideAfterError}). */
export function decideAfterStepError(
  item: BatchItemState,
  stage: 'plan' | 'copy' | 'lookup',
  error: SnapcopyError,
  retry: RetryPolicy,
  jitter: number,
): AfterError {
  return decideAfterError({
    error,
    stage,
    ...STAGE_FACTS[stage](item),
    maxAttempts: retry.maxAttempts,
    policy: retry,
    jitter,
  });
}

/** The event of a call that is tried again after `delayMs`. */
export function retryEvent(
  item: BatchItemState,
  stage: 'plan' | 'copy' | 'lookup',
  error: SnapcopyError,
  attempt: number,
  delayMs: number,
): Extract<BatchEvent, { type: 'copy-retry' }> {
  return { type: 'copy-retry', stage, index: item.index, kind: item.kind, error, attempt, delayMs };
}

/** The event of a copy the request now tracks (made by its copy call, or found by a lookup). */
export function startedEvent(
  item: BatchItemState,
  handle: AnyCopyHandle,
  attempt = item.priorAttempts + item.attempts,
): BatchEvent {
  return { type: 'copy-started', index: item.index, kind: item.kind, handle, attempt };
}

/**
 * What a lookup of a tracked copy's token answers; the duplicates the copier removed are
 * kept on the item. A failed lookup answers only that it failed.
 */
export function lookupAnswer(
  item: BatchItemState,
  result: StepResult<AnyCopyHandle | undefined>,
): LookupAnswer {
  if (!result.ok) return { error: true };
  for (const id of result.value?.duplicatesRemoved ?? []) item.duplicatesRemoved.push(id);
  return { found: result.value === undefined ? undefined : copyIdOf(result.value) };
}

/** A copy seen from its start (progress exactly 0 then), expected to take `expectedMs` if known. */
export function sampleFromStart(at: number, expectedMs: number | undefined): ProgressSample {
  return {
    baseAt: at,
    baseProgress: 0,
    baseUncertainty: 0,
    at,
    progress: 0,
    ...(expectedMs === undefined ? {} : { expectedMs }),
  };
}

/** A copy first seen at `progress` (a rounded-down reading, or 0 for a copy just followed). */
export function sampleSeenAt(at: number, progress: number): ProgressSample {
  return { baseAt: at, baseProgress: progress, baseUncertainty: 1, at, progress };
}

/** Whether no copy call was ever sent for the request (in any run) and none may exist. */
export const neverSent = (item: BatchItemState): boolean =>
  item.attempts === 0 && item.priorAttempts === 0 && item.mayExistSince === undefined;
