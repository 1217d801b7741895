import type { EcsCalls, EcsSnapshotFilter } from './calls.js';
import { ECS_PAGE_SIZE } from './calls.js';
import { type EcsSnapshot, snapshotTags } from './snapshot-view.js';

/** Snapshots carrying a tag, grouped by the tag's value. */
export type SnapshotsByTagValue = Map<string, EcsSnapshot[]>;

async function pagesOf(
  calls: EcsCalls,
  region: string,
  filter: EcsSnapshotFilter,
  maxPages: number,
  signal?: AbortSignal,
  from?: string,
): Promise<{ snapshots: EcsSnapshot[]; nextToken?: string; totalCount?: number }> {
  const snapshots: EcsSnapshot[] = [];
  let nextToken = from;
  let totalCount: number | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await calls.describeSnapshots(
      region,
      { ...filter, ...(nextToken ? { nextToken } : {}) },
      signal,
    );
    snapshots.push(...res.snapshots);
    totalCount ??= res.totalCount;
    nextToken = res.nextToken;
    if (!nextToken) break;
  }
  return {
    snapshots,
    ...(nextToken ? { nextToken } : {}),
    ...(totalCount === undefined ? {} : { totalCount }),
  };
}

function group(
  snapshots: readonly EcsSnapshot[],
  tagKey: string,
  values: ReadonlySet<string>,
): SnapshotsByTagValue {
  const out: SnapshotsByTagValue = new Map([...values].map((v) => [v, []]));
  for (const s of snapshots) {
    const v = snapshotTags(s)[tagKey];
    if (v !== undefined && values.has(v)) out.get(v)!.push(s);
  }
  return out;
}

/**
 * The snapshots in `region` carrying tag `tagKey` with any of `values`, by value, with as
 * few DescribeSnapshots calls as ECS's filters allow. ECS's `Tag.N` filters are AND-ed, so
 * one call cannot ask for several values of one key: one value is asked for by key and
 * value; several by the key alone (every snapcopy copy in the region, 100 a page), unless
 * ECS's `TotalCount` shows that listing would take more pages than asking value by value.
 * At most `maxPages` pages per value.
 */
export async function listByTagValues(
  calls: EcsCalls,
  region: string,
  tagKey: string,
  values: readonly string[],
  options: { readonly status?: EcsSnapshotFilter['status']; readonly maxPages: number },
  signal?: AbortSignal,
): Promise<SnapshotsByTagValue> {
  const wanted = new Set(values);
  const status = options.status === undefined ? {} : { status: options.status };
  const oneByOne = async () => {
    const out: SnapshotsByTagValue = new Map();
    for (const value of wanted) {
      const { snapshots } = await pagesOf(
        calls,
        region,
        { ...status, tags: { [tagKey]: value } },
        options.maxPages,
        signal,
      );
      out.set(value, snapshots);
    }
    return out;
  };
  if (wanted.size <= 1) return oneByOne();
  const first = await pagesOf(calls, region, { ...status, tagKey }, 1, signal);
  if (first.nextToken === undefined) return group(first.snapshots, tagKey, wanted);
  const pages =
    first.totalCount === undefined ? Number.POSITIVE_INFINITY : Math.ceil(first.totalCount / ECS_PAGE_SIZE);
  if (pages > wanted.size || pages > options.maxPages * wanted.size) return oneByOne();
  const rest = await pagesOf(calls, region, { ...status, tagKey }, pages, signal, first.nextToken);
  return rest.nextToken === undefined
    ? group([...first.snapshots, ...rest.snapshots], tagKey, wanted)
    : oneByOne();
}
