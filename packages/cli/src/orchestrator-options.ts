import type { OrchestratorOptions } from '@snapcopy/orchestrator';

/** The orchestrator settings a command takes from its flags. */
export interface OrchestratorFlags {
  /** `--poll-ms`. */
  readonly pollMs?: number;
  /** `--consistency-window`, ms. */
  readonly consistencyWindow?: number;
}

/**
 * The orchestrator's settings from the flags: the poll bounds from `--poll-ms` (the
 * shortest delay between one region's status polls as given, the longest ten times it, at
 * most a minute) and `--consistency-window` (how long a copy that may exist is looked for
 * before it is sent again; the provider's own window by default).
 */
export function orchestratorOptionsFor(
  flags: OrchestratorFlags,
): Pick<OrchestratorOptions, 'poll' | 'consistencyWindowMs'> {
  const { pollMs, consistencyWindow } = flags;
  return {
    ...(pollMs === undefined
      ? {}
      : { poll: { minIntervalMs: pollMs, maxIntervalMs: Math.max(pollMs, Math.min(60_000, pollMs * 10)) } }),
    ...(consistencyWindow === undefined ? {} : { consistencyWindowMs: consistencyWindow }),
  };
}

/** Help of `--consistency-window`, shared by `batch` and `policy run`. */
export const CONSISTENCY_WINDOW_HELP =
  "how long a copy whose call may have been applied is looked for by its token before it is sent again, e.g. 30s (default: the provider's, 5m on AWS and Alibaba); lower it only for an endpoint that reads its own writes at once, such as the sandbox";
