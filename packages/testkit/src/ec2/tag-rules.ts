import { Ec2ApiError, ec2Errors } from './errors.js';
import type { QueryParams } from './query-params.js';

/** Tags per resource EC2 allows. */
export const MAX_TAGS_PER_RESOURCE = 50;

/** EC2's tag constraints: key 1–127 characters, not `aws:`; value ≤ 256 characters. */
export function validateTag(key: string, value: string): void {
  if (key.length === 0 || key.length > 127) {
    throw ec2Errors.invalidParameterValue(`Tag key must be between 1 and 127 characters: '${key}'`);
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw ec2Errors.invalidParameterValue(`Tag keys starting with 'aws:' are reserved for internal use`);
  }
  if (value.length > 256) {
    throw ec2Errors.invalidParameterValue(`Tag value exceeds the maximum length of 256 characters`);
  }
}

/** `TagLimitExceeded` when a resource would carry more than 50 tags. */
export function checkTagLimit(count: number): void {
  if (count > MAX_TAGS_PER_RESOURCE) {
    throw new Ec2ApiError(
      'TagLimitExceeded',
      `The maximum number of tags for a resource (${MAX_TAGS_PER_RESOURCE}) has been exceeded.`,
    );
  }
}

/**
 * `TagSpecification.N`: the tags for each resource type the operation can tag, each set
 * checked against EC2's limits. A specification without a type tags `implicit`, when the
 * operation has one.
 */
export function parseTagSpecificationsOf<T extends string>(
  p: QueryParams,
  types: readonly T[],
  implicit?: T,
): Record<T, Map<string, string>> {
  const out = Object.fromEntries(types.map((t) => [t, new Map<string, string>()])) as Record<
    T,
    Map<string, string>
  >;
  for (const n of p.indexes('TagSpecification')) {
    const type = (p.get(`TagSpecification.${n}.ResourceType`) ?? implicit) as T | undefined;
    if (type === undefined || !types.includes(type)) {
      throw ec2Errors.invalidParameterValue(
        `'${type ?? ''}' is not a valid taggable resource type for this operation.`,
      );
    }
    for (const [k, v] of p.tags(`TagSpecification.${n}.Tag`)) {
      validateTag(k, v ?? '');
      out[type].set(k, v ?? '');
    }
  }
  for (const t of types) checkTagLimit(out[t].size);
  return out;
}

/**
 * A copy's completion duration in minutes from `param`: 15 to 2880 in steps of 15 (EC2 API
 * reference, CopySnapshot `CompletionDurationMinutes`; CopyImage
 * `SnapshotCopyCompletionDurationMinutes`).
 */
export function parseCompletionDuration(p: QueryParams, param: string): number | undefined {
  const minutes = p.int(param);
  if (minutes === undefined) return undefined;
  if (minutes < 15 || minutes > 2880 || minutes % 15 !== 0) {
    throw ec2Errors.invalidParameterValue(
      `Value (${minutes}) for parameter ${param} is invalid. It must be between 15 and 2880 minutes, in increments of 15.`,
    );
  }
  return minutes;
}
