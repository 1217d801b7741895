import type { SimSnapshot } from '../../sim/world.js';
import { ec2Errors } from '../errors.js';
import { SNAPSHOT_ID_RE } from '../ids.js';
import type { QueryParams } from '../query-params.js';
import { compileSnapshotFilters, isExactValue } from '../snapshot-filters.js';
import {
  canCreateVolume,
  ownerMatcher,
  readOwners,
  readRestorableBy,
  restorableMatcher,
} from '../snapshot-permissions.js';
import { renderSnapshotItem } from '../snapshot-view.js';
import type { Ec2RequestContext } from '../state.js';
import { xmlElement } from '../xml.js';
import { readPaging } from '../page-tokens.js';

/** `MaxResults` bounds for DescribeSnapshots: below 5 is an error, above 1000 is capped. */
export const DESCRIBE_SNAPSHOTS_MIN_RESULTS = 5;
export const DESCRIBE_SNAPSHOTS_MAX_RESULTS = 1000;

/**
 * The snapshots that match, in world order: looked up by id when the call names ids
 * (explicit ids, or the exact values of a `snapshot-id` filter, so a status poll for 200
 * ids never scans the region), else found by one pass over the world.
 */
function collect(
  ctx: Ec2RequestContext,
  byId: readonly string[] | undefined,
  matches: (s: SimSnapshot) => boolean,
): SimSnapshot[] {
  const { world } = ctx.state;
  const out: SimSnapshot[] = [];
  if (byId) {
    const seen = new Set<string>();
    for (const id of byId) {
      if (seen.has(id)) continue;
      seen.add(id);
      const s = world.snapshots.get(id);
      if (s && s.region === ctx.region && matches(s)) out.push(s);
    }
    return out;
  }
  for (const s of world.snapshots.values()) if (s.region === ctx.region && matches(s)) out.push(s);
  return out;
}

/**
 * DescribeSnapshots: explicit ids (each must exist, else `InvalidSnapshot.NotFound`; ones
 * the caller cannot see are left out), `Owner.N`, `RestorableBy.N`, filters, and
 * `MaxResults`/`NextToken` paging (not combinable with explicit ids).
 */
export function describeSnapshots(ctx: Ec2RequestContext, p: QueryParams): string {
  const { state, account, region } = ctx;
  const ids = p.list('SnapshotId');
  const owners = readOwners(p.list('Owner'));
  const restorableBy = readRestorableBy(p.list('RestorableBy'));
  const filters = p.filters();
  const { maxResults, nextToken } = readPaging(
    p,
    'SnapshotIds',
    ids.length > 0,
    DESCRIBE_SNAPSHOTS_MIN_RESULTS,
  );
  for (const id of ids) if (!SNAPSHOT_ID_RE.test(id)) throw ec2Errors.snapshotMalformed(id);
  if (ids.length > 0) {
    const missing = ids.filter((id) => {
      const s = state.world.snapshots.get(id);
      return !s || s.region !== region;
    });
    if (missing.length > 0) throw ec2Errors.snapshotNotFound(missing);
  }
  const matchesFilters = compileSnapshotFilters(filters);
  const matchesOwner = ownerMatcher(owners, account);
  const matchesRestorable = restorableMatcher(restorableBy, account);
  const idFilter = filters.length > 0 ? filters.find((f) => f.name === 'snapshot-id') : undefined;
  const exactIds = idFilter?.values.every(isExactValue) ? idFilter.values : undefined;

  const render = (list: Iterable<SimSnapshot>) => {
    let items = '';
    for (const s of list) items += `<item>${renderSnapshotItem(s)}</item>`;
    return items === '' ? '<snapshotSet/>' : `<snapshotSet>${items}</snapshotSet>`;
  };
  const tests = [
    ...(owners.length > 0 ? [matchesOwner] : []),
    ...(restorableBy.length > 0 ? [matchesRestorable] : []),
    ...(filters.length > 0 ? [matchesFilters] : []),
  ];
  const matches = (s: SimSnapshot) => canCreateVolume(s, account) && tests.every((t) => t(s));
  const byId = ids.length > 0 ? ids : exactIds;

  if (maxResults === undefined && nextToken === undefined) {
    return render(collect(ctx, byId, matches));
  }

  const pageSize = Math.min(maxResults ?? DESCRIBE_SNAPSHOTS_MAX_RESULTS, DESCRIBE_SNAPSHOTS_MAX_RESULTS);
  const query = JSON.stringify([region, owners, restorableBy, filters]);
  const page = state.pages.next(nextToken, account, query, pageSize, () =>
    collect(ctx, byId, matches).map((s) => s.id),
  );
  const snapshots: SimSnapshot[] = [];
  for (const id of page.ids) {
    const s = state.world.snapshots.get(id);
    if (s) snapshots.push(s);
  }
  return render(snapshots) + xmlElement('nextToken', page.nextToken);
}
