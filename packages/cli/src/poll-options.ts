import type { PollOptions } from '@snapcopy/orchestrator';

/**
 * The orchestrator's poll bounds from `--poll-ms`: the shortest delay between one region's
 * status polls as given, the longest ten times it, at most a minute.
 */
export function pollOptionsFor(pollMs: number | undefined): { poll: PollOptions } | Record<string, never> {
  if (pollMs === undefined) return {};
  return { poll: { minIntervalMs: pollMs, maxIntervalMs: Math.max(pollMs, Math.min(60_000, pollMs * 10)) } };
}
