import { LINEAGE_TAGS, type NormalizedCopyRequest, SnapcopyError } from '@snapcopy/core';

/**
 * Refuses a client token already used for a copy of another source, as ECS answers
 * `IdempotentParameterMismatch` for a reused token (an ECS-compatible cloud may instead
 * return the earlier copy): the copy found by the token must carry
 * the request's source snapshot and region in its lineage tags, or the caller would be told
 * "done" about a copy of something else. A tag the copy lacks is no evidence either way.
 *
 * @returns the error to throw, or `undefined` when the copy is the request's.
 */
export function tokenReuseMismatch(
  request: NormalizedCopyRequest,
  copy: {
    readonly snapshotId: string;
    readonly region: string;
    readonly tags: Readonly<Record<string, string>>;
  },
  provider: string,
): SnapcopyError | undefined {
  const snapshot = copy.tags[LINEAGE_TAGS.sourceSnapshot];
  const region = copy.tags[LINEAGE_TAGS.sourceRegion];
  const sameSnapshot = snapshot === undefined || snapshot === request.source.snapshotId;
  const sameRegion = region === undefined || region === request.source.region;
  if (sameSnapshot && sameRegion) return undefined;
  return new SnapcopyError(
    'INVALID_REQUEST',
    `client token already used for a copy of ${snapshot ?? request.source.snapshotId} from ${region ?? request.source.region} (${copy.snapshotId} in ${copy.region}); ` +
      `this request copies ${request.source.snapshotId} from ${request.source.region}: use a new client token`,
    {
      provider,
      retryable: false,
      issues: [{ path: 'clientToken', message: 'already used for a copy of another source' }],
      details: { clientToken: request.clientToken, earlierCopy: copy.snapshotId },
    },
  );
}
