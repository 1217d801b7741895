import type { CopyRequest, FieldIssue, SnapcopyError } from '@snapcopy/core';
import { invalidRequest, LINEAGE_TAG_COUNT } from '@snapcopy/core/driver';
import { ALIBABA_MAX_TAGS_PER_COPY } from '../capabilities.js';
import { ALIBABA_PROVIDER, refuse } from './rule-error.js';

// Limits from the ECS CopySnapshot API reference (2014-05-26):
// https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-copysnapshot

/** Limits ECS CopySnapshot puts on the fields snapcopy sends. */
export const ALIBABA_COPY_LIMITS = Object.freeze({
  maxTags: ALIBABA_MAX_TAGS_PER_COPY,
  maxTagKeyLength: 128,
  maxTagValueLength: 128,
  minNameLength: 2,
  maxNameLength: 128,
  minDescriptionLength: 2,
  maxDescriptionLength: 256,
});

const SNAPSHOT_ID = /^s-[a-z0-9]+$/;
// The current API page allows any Unicode "letter" (Latin, CJK, …) where older pages say
// "letters"; a name starts with one and continues with letters, digits, `:` `_` `.` `-`.
const NAME = /^\p{L}[\p{L}\p{N}:_.-]*$/u;
const HTTP_PREFIX = /^https?:\/\//i;
const HTTP_ANYWHERE = /https?:\/\//i;
const RESERVED_TAG_PREFIXES = ['aliyun', 'acs:'] as const;

/** Length in characters (code points), as the API counts them, not UTF-16 units. */
const charLength = (s: string): number => [...s].length;

/** Issues with an ECS snapshot id (`s-` then lowercase letters and digits). Empty when valid. */
export function validateAlibabaSnapshotId(snapshotId: string, path = 'source.snapshotId'): FieldIssue[] {
  return SNAPSHOT_ID.test(snapshotId)
    ? []
    : [{ path, message: 'must be an ECS snapshot id: "s-" followed by lowercase letters and digits' }];
}

/**
 * Issues with the caller's tags for one copy. ECS takes at most 20 tags per copy and
 * snapcopy adds its own lineage tags, so fewer are left for the caller. A key is 1-128
 * characters, does not start with `aliyun` or `acs:` and contains no `http://`/`https://`;
 * a value is at most 128 characters, may be empty, with the same prefix and URL rules
 * (the API page states both for values too).
 */
export function validateAlibabaTags(
  userTags: Readonly<Record<string, string>>,
  /** Slots snapcopy's own extra tags (a policy's) take besides the lineage tags. */
  ownTags = 0,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const keys = Object.keys(userTags);
  const room = ALIBABA_COPY_LIMITS.maxTags - LINEAGE_TAG_COUNT - ownTags;
  if (keys.length > room) {
    issues.push({
      path: 'tags',
      message: `at most ${room} tags: Alibaba allows ${ALIBABA_COPY_LIMITS.maxTags} per copy and snapcopy adds ${LINEAGE_TAG_COUNT + ownTags}`,
    });
  }
  for (const key of keys) {
    const value = userTags[key] ?? '';
    const path = `tags.${key}`;
    const keyLength = charLength(key);
    if (keyLength < 1 || keyLength > ALIBABA_COPY_LIMITS.maxTagKeyLength) {
      issues.push({ path, message: `key must be 1-${ALIBABA_COPY_LIMITS.maxTagKeyLength} characters` });
    }
    const keyPrefix = RESERVED_TAG_PREFIXES.find((p) => key.startsWith(p));
    if (keyPrefix !== undefined) issues.push({ path, message: `key must not start with "${keyPrefix}"` });
    if (HTTP_ANYWHERE.test(key)) issues.push({ path, message: 'key must not contain http:// or https://' });
    if (charLength(value) > ALIBABA_COPY_LIMITS.maxTagValueLength) {
      issues.push({
        path,
        message: `value must be at most ${ALIBABA_COPY_LIMITS.maxTagValueLength} characters`,
      });
    }
    const valuePrefix = RESERVED_TAG_PREFIXES.find((p) => value.startsWith(p));
    if (valuePrefix !== undefined)
      issues.push({ path, message: `value must not start with "${valuePrefix}"` });
    if (HTTP_ANYWHERE.test(value))
      issues.push({ path, message: 'value must not contain http:// or https://' });
  }
  return issues;
}

/** Issues with a length of `min`-`max` characters and an `http://`/`https://` start. */
function textIssues(path: string, value: string, min: number, max: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const length = charLength(value);
  if (length < min || length > max) issues.push({ path, message: `must be ${min}-${max} characters` });
  if (HTTP_PREFIX.test(value)) issues.push({ path, message: 'must not start with http:// or https://' });
  return issues;
}

/**
 * Issues with `DestinationSnapshotName`: 2-128 characters, starting with a letter, not
 * with `http://`/`https://`, made of letters, digits, `:` `_` `.` `-`.
 */
export function validateAlibabaSnapshotName(name: string): FieldIssue[] {
  const issues = textIssues(
    'name',
    name,
    ALIBABA_COPY_LIMITS.minNameLength,
    ALIBABA_COPY_LIMITS.maxNameLength,
  );
  if (!HTTP_PREFIX.test(name) && !NAME.test(name)) {
    issues.push({
      path: 'name',
      message: 'must start with a letter and contain only letters, digits, ":", "_", "." and "-"',
    });
  }
  return issues;
}

/** Issues with `DestinationSnapshotDescription`: 2-256 characters, not starting with `http://`/`https://`. */
export function validateAlibabaSnapshotDescription(description: string): FieldIssue[] {
  const { minDescriptionLength: min, maxDescriptionLength: max } = ALIBABA_COPY_LIMITS;
  return textIssues('description', description, min, max);
}

const truncate = (s: string, max: number): string => [...s].slice(0, max).join('');

/**
 * A copy name that always satisfies {@link validateAlibabaSnapshotName}; the API needs
 * one. Characters the name may not hold are replaced by `-`.
 */
export function defaultCopyName(sourceSnapshotId: string): string {
  const safe = [...sourceSnapshotId].map((c) => (/^[\p{L}\p{N}:_.-]$/u.test(c) ? c : '-')).join('');
  return truncate(`snapcopy-${safe}`, ALIBABA_COPY_LIMITS.maxNameLength);
}

/** A copy description that always satisfies {@link validateAlibabaSnapshotDescription}. */
export function defaultCopyDescription(input: { sourceSnapshotId: string; sourceRegion: string }): string {
  return truncate(
    `Copy of ${input.sourceSnapshotId} from ${input.sourceRegion}, made by snapcopy`,
    ALIBABA_COPY_LIMITS.maxDescriptionLength,
  );
}

/**
 * Checks every request field ECS constrains more than core's schema does (source id,
 * name, description, tags; the retention range is the manifest's, checked by core), and returns one `INVALID_REQUEST` naming each bad
 * field, or `undefined` when all pass.
 */
export function validateAlibabaRequestFields(req: CopyRequest): SnapcopyError | undefined {
  const issues = [
    ...validateAlibabaSnapshotId(req.source.snapshotId),
    ...(req.name === undefined ? [] : validateAlibabaSnapshotName(req.name)),
    ...(req.description === undefined ? [] : validateAlibabaSnapshotDescription(req.description)),
    ...(req.tags === undefined
      ? []
      : validateAlibabaTags(req.tags, Object.keys(req.snapcopyTags ?? {}).length)),
  ];
  return issues.length === 0 ? undefined : invalidRequest(issues, ALIBABA_PROVIDER);
}

/** What DescribeSnapshots says about the source that decides whether it can be copied. */
export interface AlibabaSourceState {
  /** `Category`: `standard`, `flash` (local snapshot) or `archive`; absent means standard. */
  readonly category?: string;
  /** `Status`: `progressing`, `accomplished` or `failed`. */
  readonly status: string;
}

/**
 * Refuses a source ECS cannot copy: archived snapshots and local (`flash`) snapshots →
 * `UNSUPPORTED` with `details.scope = 'request'` (ECS:
 * `OperationDenied.SnapshotCategoryNotSupportCopy`); a source that is not `accomplished`
 * → `INVALID_REQUEST` (ECS: `InvalidSnapshotId.NotReady`). `undefined` when copyable.
 */
export function checkAlibabaSourceCopyable(source: AlibabaSourceState): SnapcopyError | undefined {
  const category = (source.category ?? 'standard').toLowerCase();
  if (category === 'archive') {
    return refuse('UNSUPPORTED', 'the source snapshot is archived; Alibaba cannot copy archived snapshots', {
      rule: 'archived-source',
      mirrors: 'OperationDenied.SnapshotCategoryNotSupportCopy',
    });
  }
  if (category === 'flash' || category === 'local') {
    return refuse('UNSUPPORTED', 'the source is a local snapshot; Alibaba cannot copy local snapshots', {
      rule: 'local-source',
      mirrors: 'InvalidSnapshotCategory.NotSupportCopy',
    });
  }
  const status = source.status.toLowerCase();
  if (status !== 'accomplished') {
    return refuse(
      'INVALID_REQUEST',
      status === 'progressing'
        ? 'the source snapshot is still being created; copy it once it is accomplished'
        : `the source snapshot is ${source.status}, not accomplished; it cannot be copied`,
      {
        rule: 'source-not-accomplished',
        mirrors: 'InvalidSnapshotId.NotReady',
        path: 'source.snapshotId',
      },
    );
  }
  return undefined;
}
