import type { FieldIssue } from '@snapcopy/core';
import { invalidRequest, throwIfIssues } from '@snapcopy/core/driver';

/**
 * Limits of an AWS time-based snapshot copy (`CompletionDurationMinutes`): 15 minutes to
 * 48 hours in 15-minute steps, and at most 500 MiB/s for one copy.
 */
export const AWS_TIME_BASED_COPY = Object.freeze({
  minMinutes: 15,
  maxMinutes: 2880,
  stepMinutes: 15,
  throughputMiBPerSecond: 500,
});

/** The completion durations AWS takes, as a capability manifest states them. */
export const AWS_COMPLETION_DURATION_MINUTES = Object.freeze({
  min: AWS_TIME_BASED_COPY.minMinutes,
  max: AWS_TIME_BASED_COPY.maxMinutes,
  step: AWS_TIME_BASED_COPY.stepMinutes,
});

/** A checked time-based copy request. */
export interface AwsTimeBasedCopy {
  readonly completionDurationMinutes: number;
  /** The shortest duration, in steps of 15 minutes, that the snapshot's size allows. */
  readonly minimumMinutes: number;
}

/**
 * The shortest completion duration AWS can honour for `sizeGiB` at the per-copy throughput
 * cap, rounded up to a whole 15-minute step and never below 15 minutes.
 */
export function minimumAwsCopyMinutes(sizeGiB: number): number {
  const { minMinutes, stepMinutes, throughputMiBPerSecond } = AWS_TIME_BASED_COPY;
  const minutes = (sizeGiB * 1024) / (throughputMiBPerSecond * 60);
  // The tolerance keeps an exact multiple (e.g. 439.453125 GiB = 15 min) from rounding up.
  const steps = Math.ceil(minutes / stepMinutes - 1e-9);
  return Math.max(minMinutes, steps * stepMinutes);
}

/**
 * Checks a requested completion duration against AWS's range and step and against what the
 * snapshot's size allows. Throws `INVALID_REQUEST` naming `completionDurationMinutes` (and
 * the minimum, when the duration is too short).
 */
export function validateAwsTimeBasedCopy(minutes: number, sizeGiB: number): AwsTimeBasedCopy {
  const { minMinutes, maxMinutes, stepMinutes, throughputMiBPerSecond } = AWS_TIME_BASED_COPY;
  const path = 'completionDurationMinutes';
  if (!Number.isFinite(sizeGiB) || sizeGiB < 0) {
    throw invalidRequest(
      [{ path: 'source.sizeGiB', message: 'must be a finite number of GiB, 0 or more' }],
      'aws',
    );
  }
  const issues: FieldIssue[] = [];
  if (!Number.isInteger(minutes)) {
    issues.push({ path, message: 'must be a whole number of minutes' });
  } else if (minutes < minMinutes || minutes > maxMinutes) {
    issues.push({ path, message: `must be between ${minMinutes} and ${maxMinutes} minutes` });
  } else if (minutes % stepMinutes !== 0) {
    issues.push({ path, message: `must be a multiple of ${stepMinutes} minutes` });
  }
  const minimumMinutes = minimumAwsCopyMinutes(sizeGiB);
  if (minimumMinutes > maxMinutes) {
    issues.push({
      path,
      message: `${sizeGiB} GiB cannot be copied within ${maxMinutes} minutes at ${throughputMiBPerSecond} MiB/s per copy; use a standard copy`,
    });
  } else if (issues.length === 0 && minutes < minimumMinutes) {
    issues.push({
      path,
      message: `${minutes} minutes is too short for ${sizeGiB} GiB at ${throughputMiBPerSecond} MiB/s per copy; the minimum is ${minimumMinutes}`,
    });
  }
  throwIfIssues(issues, 'aws');
  return { completionDurationMinutes: minutes, minimumMinutes };
}
