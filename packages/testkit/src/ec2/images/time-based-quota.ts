import type { SimSnapshot } from '../../sim/world.js';

/**
 * Time-based copy quotas ("Time-based copies for Amazon EBS snapshots and EBS-backed
 * AMIs", https://docs.aws.amazon.com/ebs/latest/userguide/time-based-copies.html): one
 * copy reaches at most 500 MiB/s; concurrent time-based copies between a source and a
 * destination Region share a cumulative 2,000 MiB/s (adjustable). For an AMI, each backing
 * snapshot is one copy for both quotas.
 */
export const TIME_BASED_COPY_MAX_MIBPS = 500;
export const TIME_BASED_CUMULATIVE_MIBPS = 2000;

/** What a time-based copy asks for and what is already in use. */
export interface TimeBasedCopyInput {
  readonly movedGiB: number;
  readonly completionDurationMinutes: number;
  /** Throughput of the time-based copies already running between the same Regions, MiB/s. */
  readonly usedMiBps: number;
  readonly cumulativeQuotaMiBps: number;
}

/** How the copy runs: refused, on time, or slowed down to the throughput left. */
export type TimeBasedCopyPlan =
  | { readonly kind: 'refused' }
  | {
      readonly kind: 'accepted';
      /** Throughput the copy takes from the cumulative quota, MiB/s. */
      readonly mibps: number;
      /** Set when the quota left is below the required rate: the copy takes this long. */
      readonly durationMs?: number;
    };

/**
 * The guide's three cases: quota left ≥ the required rate (data ÷ duration) → the copy
 * completes within its duration; below it but above zero → accepted, completes later;
 * none left → refused.
 */
export function planTimeBasedCopy(input: TimeBasedCopyInput): TimeBasedCopyPlan {
  const movedMiB = input.movedGiB * 1024;
  const required = movedMiB / (input.completionDurationMinutes * 60);
  const left = Math.min(TIME_BASED_COPY_MAX_MIBPS, input.cumulativeQuotaMiBps - input.usedMiBps);
  if (required === 0) return { kind: 'accepted', mibps: 0 };
  if (left <= 0) return { kind: 'refused' };
  if (required <= left) return { kind: 'accepted', mibps: required };
  return { kind: 'accepted', mibps: left, durationMs: Math.ceil((movedMiB / left) * 1000) };
}

/**
 * Throughput used by pending time-based copies of `account` from `sourceRegion` into
 * `destinationRegion`: each one's moved data over its duration.
 */
export function usedTimeBasedMiBps(
  copies: Iterable<SimSnapshot>,
  account: string,
  sourceRegion: string,
  destinationRegion: string,
): number {
  let used = 0;
  for (const s of copies) {
    const task = s.copy;
    if (!task || s.state !== 'pending' || task.completionDurationMinutes === undefined) continue;
    if (s.account !== account || s.region !== destinationRegion || task.sourceRegion !== sourceRegion)
      continue;
    used += (task.billing.storageGiB * 1024) / (task.durationMs / 1000);
  }
  return used;
}
