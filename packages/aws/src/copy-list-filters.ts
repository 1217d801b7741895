import type { Filter } from '@aws-sdk/client-ec2';
import type { CopyListFilter, DriverCopyPage, ObservedCopy } from '@snapcopy/core/driver';

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

/**
 * One page of a copy listing as the input of an EC2 Describe call: the filters, 1,000 a page
 * (the most `MaxResults` takes), from `nextToken`.
 */
export function ec2CopyListInput(filter: CopyListFilter, nextToken: string | undefined) {
  return {
    MaxResults: 1000,
    Filters: ec2CopyListFilters(filter),
    ...(nextToken === undefined ? {} : { NextToken: nextToken }),
  };
}

/** One page of an EC2 Describe call as a page of copies. */
export function ec2CopyPage<T>(
  page: { readonly items: readonly T[]; readonly nextToken?: string },
  observe: (item: T) => ObservedCopy,
): DriverCopyPage {
  return {
    copies: page.items.map(observe),
    ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
  };
}
