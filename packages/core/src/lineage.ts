import { SnapcopyError } from './errors.js';
import { RESERVED_TAG_PREFIX } from './request.js';

/**
 * Tags snapcopy writes on every copy it makes. They carry idempotency (the client
 * token) and lineage (what the copy is of), so that a retry can find an earlier copy
 * and a plan can find earlier copies of the same volume in the destination.
 */
export const LINEAGE_TAGS = Object.freeze({
  clientToken: `${RESERVED_TAG_PREFIX}client-token`,
  sourceSnapshot: `${RESERVED_TAG_PREFIX}source-snapshot`,
  sourceRegion: `${RESERVED_TAG_PREFIX}source-region`,
  sourceVolume: `${RESERVED_TAG_PREFIX}source-volume`,
  key: `${RESERVED_TAG_PREFIX}key`,
});

/** How many tags snapcopy itself adds to a copy. */
export const LINEAGE_TAG_COUNT = Object.keys(LINEAGE_TAGS).length;

/** The lineage tags for one copy. `key` is `none` for an unencrypted copy. */
export function lineageTags(input: {
  clientToken: string;
  sourceSnapshotId: string;
  sourceRegion: string;
  sourceVolumeId?: string;
  kmsKeyId?: string;
}): Record<string, string> {
  return {
    [LINEAGE_TAGS.clientToken]: input.clientToken,
    [LINEAGE_TAGS.sourceSnapshot]: input.sourceSnapshotId,
    [LINEAGE_TAGS.sourceRegion]: input.sourceRegion,
    [LINEAGE_TAGS.sourceVolume]: input.sourceVolumeId ?? 'unknown',
    [LINEAGE_TAGS.key]: input.kmsKeyId ?? 'none',
  };
}

/** Where the copy protocol reads a copy's client token and source, for one request. */
export interface TokenLineage {
  /** The tag holding the client token. */
  readonly tokenTag: string;
  /** The tag holding the id of the copy's source, and the source this request copies. */
  readonly sourceTag: string;
  readonly sourceId: string;
  /** The tag holding the source's region. */
  readonly sourceRegionTag: string;
}

/**
 * Refuses a client token already used for a copy of another source, as EC2 and ECS answer
 * `IdempotentParameterMismatch` for a reused token (an emulated token, or an ECS-compatible
 * cloud that returns the earlier copy, gives no such answer): the copy found by the token must carry
 * the request's source id and region in its lineage tags, or the caller would be told
 * "done" about a copy of something else. A tag the copy lacks is no evidence either way.
 *
 * @returns the error to throw, or `undefined` when the copy is the request's.
 */
export function tokenReuseMismatch(
  lineage: TokenLineage,
  request: { readonly clientToken: string; readonly source: { readonly region: string } },
  copy: { readonly id: string; readonly region: string; readonly tags: Readonly<Record<string, string>> },
  provider: string,
): SnapcopyError | undefined {
  const source = copy.tags[lineage.sourceTag];
  const region = copy.tags[lineage.sourceRegionTag];
  const sameSource = source === undefined || source === lineage.sourceId;
  const sameRegion = region === undefined || region === request.source.region;
  if (sameSource && sameRegion) return undefined;
  return new SnapcopyError(
    'INVALID_REQUEST',
    `client token already used for a copy of ${source ?? lineage.sourceId} from ${region ?? request.source.region} (${copy.id} in ${copy.region}); ` +
      `this request copies ${lineage.sourceId} from ${request.source.region}: use a new client token`,
    {
      provider,
      retryable: false,
      issues: [{ path: 'clientToken', message: 'already used for a copy of another source' }],
      details: { clientToken: request.clientToken, earlierCopy: copy.id },
    },
  );
}
