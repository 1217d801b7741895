import type { NormalizedListQuery } from '@snapcopy/core/driver';
import type { EcsSnapshotFilter } from './calls.js';

/** DescribeSnapshots `MaxResults` is 1-100 (ECS API 2014-05-26). */
export const ECS_LIST_MAX_PAGE_SIZE = 100;

const ECS_STATUS = { pending: 'progressing', completed: 'accomplished', failed: 'failed' } as const;

/**
 * DescribeSnapshots filters for one page of a listing
 * (https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-describesnapshots):
 * the caller's own snapshots (the only ones ECS lists), `Tag.N`, `Status` when one state is
 * asked for (ECS takes one; several are filtered by snapcopy), `MaxResults` and
 * `NextToken`. The description regex is applied by snapcopy: ECS has no description filter.
 */
export function describeSnapshotsListFilter(
  query: NormalizedListQuery,
  cursor: string | undefined,
): EcsSnapshotFilter {
  const one = query.states?.length === 1 ? query.states[0] : undefined;
  return {
    maxResults: Math.min(query.pageSize, ECS_LIST_MAX_PAGE_SIZE),
    ...(Object.keys(query.tags).length === 0 ? {} : { tags: query.tags }),
    ...(one === undefined ? {} : { status: ECS_STATUS[one] }),
    ...(cursor === undefined ? {} : { nextToken: cursor }),
  };
}
