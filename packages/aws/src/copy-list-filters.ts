import type { Filter } from '@aws-sdk/client-ec2';
import type { CopyListFilter } from '@snapcopy/core';

/**
 * A listing's filter as EC2 Describe filters (DescribeSnapshots and DescribeImages take the
 * same ones): `tag:KEY` for each exact tag value, `tag-key` for the keys that must be present.
 */
export function ec2CopyListFilters(filter: CopyListFilter): Filter[] {
  return [
    ...Object.entries(filter.tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] })),
    ...(filter.tagKeys.length === 0 ? [] : [{ Name: 'tag-key', Values: [...filter.tagKeys] }]),
  ];
}
