import type { DescribeSnapshotsCommandInput, Filter } from '@aws-sdk/client-ec2';
import type { NormalizedListQuery } from '@snapcopy/core/driver';

/** DescribeSnapshots `MaxResults` is 5-1000 (EC2 API reference). */
export const EC2_LIST_MIN_PAGE_SIZE = 5;
export const EC2_LIST_MAX_PAGE_SIZE = 1000;

/** EC2's snapshot states for each listing state (`recoverable` snapshots are in the Recycle Bin). */
const EC2_STATES = {
  pending: ['pending', 'recovering'],
  completed: ['completed'],
  failed: ['error'],
} as const;

/**
 * DescribeSnapshots for one page of a listing
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html):
 * the caller's own (`Owner=self`), or the listed owners' snapshots restorable by the caller
 * (`Owner=<account>` and `RestorableBy=self`: explicitly shared with it, public ones left out);
 * tags and states as filters; `MaxResults` and `NextToken`. The description regex is
 * applied by snapcopy: EC2's `description` filter knows only wildcards.
 */
export function describeSnapshotsListInput(
  query: NormalizedListQuery,
  cursor: string | undefined,
): DescribeSnapshotsCommandInput {
  const filters: Filter[] = Object.entries(query.tags).map(([key, value]) => ({
    Name: `tag:${key}`,
    Values: [value],
  }));
  if (query.states !== undefined)
    filters.push({ Name: 'status', Values: query.states.flatMap((s) => EC2_STATES[s]) });
  return {
    ...(query.owner === 'self'
      ? { OwnerIds: ['self'] }
      : { OwnerIds: [...query.owner.sharedBy], RestorableByUserIds: ['self'] }),
    ...(filters.length === 0 ? {} : { Filters: filters }),
    MaxResults: Math.min(query.pageSize, EC2_LIST_MAX_PAGE_SIZE),
    ...(cursor === undefined ? {} : { NextToken: cursor }),
  };
}
