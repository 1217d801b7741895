import { createHash } from 'node:crypto';

/**
 * The client token of the copy of one source snapshot into one destination by one
 * policy: `sp-` and 48 hex digits of a SHA-256 over (policy id, provider, source region,
 * source snapshot, destination region). 51 printable ASCII characters, within both
 * providers' limit of 64 (ECS `ClientToken`; snapcopy's token tag on AWS). The
 * destination account is the copier's own, and a policy id is per account.
 *
 * Deterministic: a pass that lost its journal, a second runner, or a rerun after a crash
 * derives the same token, so the copy is found instead of made twice.
 */
export function policyClientToken(input: {
  readonly policyId: string;
  readonly provider: string;
  readonly sourceRegion: string;
  readonly sourceSnapshotId: string;
  readonly destinationRegion: string;
}): string {
  const hash = createHash('sha256');
  for (const part of [
    'snapcopy-policy-copy/1',
    input.policyId,
    input.provider,
    input.sourceRegion,
    input.sourceSnapshotId,
    input.destinationRegion,
  ])
    hash.update(part).update('\u0000');
  return `sp-${hash.digest('hex').slice(0, 48)}`;
}

/** Default width of a pass's time bucket: a rerun within it resumes the same batch. */
export const DEFAULT_PASS_BUCKET_MS = 15 * 60_000;

/** The prefix of every journal batch of a policy. */
export function policyBatchPrefix(policyId: string): string {
  return `policy:${policyId}:`;
}

/**
 * The orchestrator batch of a pass: the policy id and the start of the time bucket the
 * pass began in (UTC, minute precision), e.g. `policy:vault:2026-01-01T10:15Z`.
 */
export function passBatchId(policyId: string, now: number, bucketMs = DEFAULT_PASS_BUCKET_MS): string {
  const start = Math.floor(now / bucketMs) * bucketMs;
  return `${policyBatchPrefix(policyId)}${new Date(start).toISOString().slice(0, 16)}Z`;
}
