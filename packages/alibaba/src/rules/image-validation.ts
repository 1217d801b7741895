import type { FieldIssue, ImageCopyRequest, SnapcopyError } from '@snapcopy/core';
import { invalidRequest } from '@snapcopy/core/driver';
import { ALIBABA_PROVIDER } from './rule-error.js';
import {
  validateAlibabaSnapshotDescription,
  validateAlibabaSnapshotName,
  validateAlibabaTags,
} from './validation.js';

// Field limits of ECS CopyImage (2014-05-26):
// https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-copyimage
// `DestinationImageName` follows the snapshot name rules and may not start with `aliyun` or
// `acs:`; `DestinationDescription` the snapshot description rules; `Tag.N` the snapshot
// tag rules (N up to 20).

/** `m-` then lowercase letters and digits: a custom image id. */
export const ALIBABA_IMAGE_ID = /^m-[a-z0-9]+$/;

/** Issues with an ECS image id; empty when valid. */
export function validateAlibabaImageId(id: string, path = 'source.imageId'): FieldIssue[] {
  return ALIBABA_IMAGE_ID.test(id)
    ? []
    : [{ path, message: 'must be an ECS custom image id: "m-" followed by lowercase letters and digits' }];
}

/** Issues with `DestinationImageName`; empty when valid. */
export function validateAlibabaImageName(name: string): FieldIssue[] {
  const issues = validateAlibabaSnapshotName(name);
  for (const prefix of ['aliyun', 'acs:']) {
    if (name.startsWith(prefix)) issues.push({ path: 'name', message: `must not start with "${prefix}"` });
  }
  return issues;
}

/**
 * Checks every field of an image copy request that ECS constrains more than core's schema
 * (image id, name, description, tags) and returns one `INVALID_REQUEST` naming each bad
 * field, or `undefined` when all pass.
 */
export function validateAlibabaImageRequestFields(req: ImageCopyRequest): SnapcopyError | undefined {
  const issues = [
    ...validateAlibabaImageId(req.source.imageId),
    ...(req.name === undefined ? [] : validateAlibabaImageName(req.name)),
    ...(req.description === undefined ? [] : validateAlibabaSnapshotDescription(req.description)),
    ...(req.tags === undefined ? [] : validateAlibabaTags(req.tags)),
  ];
  return issues.length === 0 ? undefined : invalidRequest(issues, ALIBABA_PROVIDER);
}
