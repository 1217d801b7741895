import { AWS_TIME_BASED_COPY, validateAwsTimeBasedCopy } from './time-based.js';

// Time-based AMI copies, from the EBS User Guide, "Time-based copies"
// (https://docs.aws.amazon.com/ebs/latest/userguide/time-based-copies.html), and the
// CopyImage API reference (`SnapshotCopyCompletionDurationMinutes`): the duration applies
// to each snapshot of the AMI; each snapshot is its own snapshot copy request and counts
// against the account's cumulative time-based copy throughput quota, as concurrent
// time-based snapshot copies would.

/** A checked time-based AMI copy. */
export interface AwsImageTimeBasedCopy {
  readonly completionDurationMinutes: number;
  /** The shortest duration the largest backing snapshot allows. */
  readonly minimumMinutes: number;
  /** Time-based snapshot copies the AMI copy starts: one per backing snapshot. */
  readonly snapshotCopies: number;
  /** Throughput each snapshot needs to finish in time, MiB/s (size / duration), in device order. */
  readonly throughputMiBps: readonly number[];
}

/**
 * Checks a completion duration against every backing snapshot (each must be copyable in it
 * at the per-copy throughput cap) and says how much of the cumulative throughput quota the
 * AMI copy takes. Throws `INVALID_REQUEST` naming `completionDurationMinutes` for the first
 * snapshot the duration is too short for.
 */
export function planAwsImageTimeBasedCopy(
  minutes: number,
  snapshotSizesGiB: readonly number[],
): AwsImageTimeBasedCopy {
  let minimumMinutes: number = AWS_TIME_BASED_COPY.minMinutes;
  for (const size of snapshotSizesGiB) {
    minimumMinutes = Math.max(minimumMinutes, validateAwsTimeBasedCopy(minutes, size).minimumMinutes);
  }
  if (snapshotSizesGiB.length === 0) validateAwsTimeBasedCopy(minutes, 0);
  return {
    completionDurationMinutes: minutes,
    minimumMinutes,
    snapshotCopies: snapshotSizesGiB.length,
    throughputMiBps: snapshotSizesGiB.map((size) => Math.round(((size * 1024) / (minutes * 60)) * 100) / 100),
  };
}
