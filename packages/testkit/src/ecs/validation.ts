import { EcsApiError } from './rpc-errors.js';
import type { EcsParams } from './rpc-params.js';

const URL_PREFIX = /^https?:\/\//i;

/** Snapshot names: 2–128 characters, a letter first, letters/digits/`:_.-`, no URL prefix. */
export function isValidSnapshotName(name: string): boolean {
  const chars = [...name];
  if (chars.length < 2 || chars.length > 128) return false;
  if (URL_PREFIX.test(name)) return false;
  return /^\p{L}[\p{L}\p{N}:_.-]*$/u.test(name);
}

/** Descriptions: 2–256 characters, no URL prefix. */
export function isValidDescription(description: string): boolean {
  const n = [...description].length;
  return n >= 2 && n <= 256 && !URL_PREFIX.test(description);
}

/** Why a tag key is malformed, or undefined when it is fine. */
export function tagKeyProblem(key: string): string | undefined {
  if (key === '') return 'The tag key cannot be empty.';
  if ([...key].length > 128) return 'The tag key exceeds 128 characters.';
  if (/^(aliyun|acs:)/i.test(key)) return 'The tag key cannot start with aliyun or acs:.';
  if (/https?:\/\//i.test(key)) return 'The tag key cannot contain http:// or https://.';
  return undefined;
}

/** Why a tag value is malformed, or undefined when it is fine (empty values are allowed). */
export function tagValueProblem(value: string): string | undefined {
  if ([...value].length > 128) return 'The tag value exceeds 128 characters.';
  if (/^(aliyun|acs:)/i.test(value)) return 'The tag value cannot start with aliyun or acs:.';
  if (/https?:\/\//i.test(value)) return 'The tag value cannot contain http:// or https://.';
  return undefined;
}

/** How tag errors are reported by an operation (codes and statuses differ per API). */
export interface TagErrorCodes {
  readonly tooMany: () => EcsApiError;
  readonly status: number;
}

/**
 * Reads `Tag.N.Key`/`Tag.N.Value` (N ≤ 20), checks keys, values and duplicates, and
 * returns them in index order.
 */
export function readTags(params: EcsParams, codes: TagErrorCodes): Array<[string, string]> {
  const structs = params.structs('Tag');
  if (structs.length > 20) throw codes.tooMany();
  const seen = new Set<string>();
  const tags: Array<[string, string]> = [];
  for (const { index, fields } of structs) {
    if (index < 1 || index > 20) throw codes.tooMany();
    const key = fields.Key;
    const value = fields.Value ?? '';
    if (key === undefined) {
      throw new EcsApiError(
        codes.status,
        'InvalidTagKey.Malformed',
        `The specified Tag.${index}.Key is not valid.`,
      );
    }
    const keyProblem = tagKeyProblem(key);
    if (keyProblem) throw new EcsApiError(codes.status, 'InvalidTagKey.Malformed', keyProblem);
    const valueProblem = tagValueProblem(value);
    if (valueProblem) throw new EcsApiError(codes.status, 'InvalidTagValue.Malformed', valueProblem);
    if (seen.has(key))
      throw new EcsApiError(codes.status, 'Duplicate.TagKey', 'The Tag.N.Key contain duplicate key.');
    seen.add(key);
    tags.push([key, value]);
  }
  return tags;
}

/** `ClientToken`: ASCII only, at most 64 characters. */
export function isValidClientToken(token: string): boolean {
  return token.length > 0 && token.length <= 64 && /^[\x20-\x7e]+$/.test(token);
}

/**
 * `Tag.N` of a Describe call as predicates: a resource matches each when it carries the key
 * (with the value, when one is given). At most 20 tags (`InvalidTagCount` with
 * `tooManyMessage`, which differs by operation); a tag needs a key.
 */
export function tagPredicates(
  params: EcsParams,
  tooManyMessage: string,
): Array<(resource: { readonly tags: ReadonlyMap<string, string> }) => boolean> {
  const tags = params.structs('Tag');
  if (tags.length > 20) throw new EcsApiError(400, 'InvalidTagCount', tooManyMessage);
  return tags.map(({ fields }) => {
    const key = fields.Key;
    if (key === undefined || key === '') {
      throw new EcsApiError(
        400,
        'InvalidTag.Mismatch',
        'The specified Tag.n.Key and Tag.n.Value are not match.',
      );
    }
    const value = fields.Value;
    return (r) => r.tags.has(key) && (value === undefined || r.tags.get(key) === value);
  });
}
