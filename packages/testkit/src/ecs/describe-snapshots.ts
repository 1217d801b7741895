import type { SimSnapshot } from '../sim/world.js';
import { snapshotSeq } from './ecs-state.js';
import type { EcsOperationContext } from './operation-context.js';
import { EcsApiError, ecsErrors } from './rpc-errors.js';
import { ecsStatus, snapshotToWire } from './snapshot-wire.js';
import { parseEcsFilterTime } from './time-format.js';
import { tagPredicates } from './validation.js';

type Predicate = (s: SimSnapshot) => boolean;

const CATEGORIES: Record<string, SimSnapshot['category']> = {
  standard: 'standard',
  flash: 'flash',
  archive: 'archive',
};

/** Reads every filter of the request into predicates (all must hold). */
function readFilters(ctx: EcsOperationContext): Predicate[] {
  const p = ctx.params;
  const preds: Predicate[] = [];
  const status = p.get('Status');
  if (status !== undefined && status !== '' && status !== 'all') {
    if (!['progressing', 'accomplished', 'failed'].includes(status)) {
      throw new EcsApiError(404, 'InvalidStatus.NotFound', 'The specified Status is not found.');
    }
    preds.push((s) => ecsStatus(s) === status);
  }
  const diskId = p.get('DiskId');
  if (diskId) preds.push((s) => s.volumeId === diskId);
  const instanceId = p.get('InstanceId');
  if (instanceId) preds.push((s) => s.extra.instanceId === instanceId);
  const name = p.get('SnapshotName');
  if (name) preds.push((s) => s.name === name);
  const linkId = p.get('SnapshotLinkId');
  if (linkId) preds.push((s) => `sl-${s.volumeId.replace(/^d-/, '')}` === linkId);
  if (p.bool('Encrypted') === true) preds.push((s) => s.encrypted);
  const keyId = p.get('KMSKeyId');
  if (keyId) preds.push((s) => s.kmsKeyId === keyId);
  const category = p.get('Category');
  if (category) {
    const c = CATEGORIES[category.toLowerCase()];
    if (!c)
      throw new EcsApiError(403, 'InvalidSnapshotCategory.Malformed', 'The specified Category is not valid.');
    preds.push((s) => s.category === c);
  }
  const type = p.get('SnapshotType');
  if (type && type !== 'all') {
    if (!['auto', 'user', 'timer'].includes(type)) {
      throw new EcsApiError(404, 'InvalidSnapshotType.NotFound', 'The specified SnapshotType is not found.');
    }
    const want = type === 'timer' ? 'auto' : type;
    preds.push((s) => (s.extra.snapshotType ?? 'user') === want);
  }
  const diskType = p.get('SourceDiskType');
  if (diskType) {
    const t = diskType.toLowerCase();
    if (t !== 'system' && t !== 'data' && t !== 'all') {
      throw new EcsApiError(404, 'InvalidSourceDiskType', 'The specified SourceDiskType is not valid.');
    }
    if (t !== 'all') preds.push((s) => (s.diskType ?? 'data') === t);
  }
  const usage = p.get('Usage');
  if (usage) {
    if (!['image', 'disk', 'image_disk', 'none'].includes(usage)) {
      throw new EcsApiError(404, 'InvalidUsage', 'The specified Usage is not valid.');
    }
    preds.push(() => usage === 'none');
  }
  preds.push(...tagPredicates(p, 'The number of tags exceeds 20.'));
  for (const { fields } of p.structs('Filter')) {
    const key = fields.Key;
    if (key !== 'CreationStartTime' && key !== 'CreationEndTime') {
      throw new EcsApiError(404, 'InvalidFilterKey.NotFound', 'The specified filter key is not found.');
    }
    const at = parseEcsFilterTime(fields.Value ?? '');
    if (at === undefined)
      throw new EcsApiError(404, 'InvalidFilterValue', 'The specified filter value is not valid.');
    preds.push(key === 'CreationStartTime' ? (s) => s.startedAt >= at : (s) => s.startedAt <= at);
  }
  return preds;
}

/** `SnapshotIds`: a JSON array of at most 100 strings. */
function readSnapshotIds(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const malformed = () =>
    new EcsApiError(403, 'InvalidSnapshotIds.Malformed', 'The specified parameter SnapshotIds is not valid.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw malformed();
  }
  if (!Array.isArray(parsed) || parsed.length > 100 || parsed.some((x) => typeof x !== 'string'))
    throw malformed();
  return [...new Set(parsed as string[])];
}

/** Opaque paging token: the creation sequence of the last snapshot returned. */
function encodeToken(seq: number): string {
  return Buffer.from(`ecs-sim:${seq}`).toString('base64url');
}

function decodeToken(token: string): number {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const m = /^ecs-sim:(\d+)$/.exec(text);
  if (!m) throw new EcsApiError(400, 'InvalidParameter.NextToken', 'The specified NextToken is not valid.');
  return Number(m[1]);
}

/** Walks candidates newest first, below a sequence bound. */
type Walk = (belowSeq: number) => Iterable<SimSnapshot>;

/**
 * DescribeSnapshots: `SnapshotIds` (≤ 100) or the region's snapshots, AND-ed filters,
 * token paging (`MaxResults`/`NextToken`) or offset paging (`PageNumber`/`PageSize`),
 * newest first. Lookups go through indexes, never a scan of the whole world unless a
 * filter forces one to count `TotalCount`.
 */
export function describeSnapshots(ctx: EcsOperationContext): Record<string, unknown> {
  const { params: p, state, account } = ctx;
  const region = p.require('RegionId');
  if (!state.world.regions.has(region)) throw ecsErrors.regionNotFound();
  const ids = readSnapshotIds(p.get('SnapshotIds'));
  const preds = readFilters(ctx);
  const maxResults = p.int('MaxResults', 1, 100, () =>
    ecsErrors.invalid('MaxResults', 'must be an integer from 1 to 100'),
  );
  const nextToken = p.get('NextToken') || undefined;
  const pageNumber = p.int('PageNumber', 1, 1_000_000_000, () => ecsErrors.invalid('PageNumber'));
  const pageSize = p.int('PageSize', 1, 100, () =>
    ecsErrors.invalid('PageSize', 'must be an integer from 1 to 100'),
  );
  if (p.bool('DryRun') === true) {
    throw new EcsApiError(400, 'DryRunOperation', 'Request validation has been passed with DryRun flag set.');
  }
  const snapshots = state.world.snapshots;
  const matches = (s: SimSnapshot) =>
    s.account === account.id && s.region === region && preds.every((f) => f(s));

  let walk: Walk;
  let unfilteredTotal: number | undefined;
  if (ids) {
    const found = ids
      .map((id) => snapshots.get(id))
      .filter((s): s is SimSnapshot => s !== undefined && matches(s))
      .sort((a, b) => snapshotSeq(b) - snapshotSeq(a));
    walk = (below) => found.filter((s) => snapshotSeq(s) < below);
    unfilteredTotal = found.length;
  } else {
    const index = state.ownedInRegion(account.id, region);
    walk = function* (below) {
      let i = upperIndexBelow(index, below);
      for (; i >= 0; i--) {
        const s = snapshots.get(index[i]!.id);
        if (s && matches(s)) yield s;
      }
    };
    if (preds.length === 0) unfilteredTotal = index.length;
  }
  const total = (): number => {
    if (unfilteredTotal !== undefined) return unfilteredTotal;
    let n = 0;
    for (const _ of walk(Number.POSITIVE_INFINITY)) n++;
    return n;
  };

  const tokenPaging = maxResults !== undefined || nextToken !== undefined;
  const page: SimSnapshot[] = [];
  let more = false;
  if (tokenPaging) {
    const limit = maxResults ?? 10;
    const below = nextToken === undefined ? Number.POSITIVE_INFINITY : decodeToken(nextToken);
    for (const s of walk(below)) {
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push(s);
    }
    return reply(ctx, page, {
      TotalCount: total(),
      PageNumber: 1,
      PageSize: limit,
      NextToken: more ? encodeToken(snapshotSeq(page[page.length - 1]!)) : '',
    });
  }
  const size = pageSize ?? 10;
  const number = pageNumber ?? 1;
  let skip = (number - 1) * size;
  let below = Number.POSITIVE_INFINITY;
  if (!ids && preds.length === 0) {
    // ownedInRegion returns the list without removed snapshots: jump straight to the page.
    const index = state.ownedInRegion(account.id, region);
    const start = index.length - 1 - skip;
    below = start >= 0 ? index[start]!.seq + 1 : Number.NEGATIVE_INFINITY;
    skip = 0;
  }
  for (const s of walk(below)) {
    if (skip > 0) {
      skip--;
      continue;
    }
    if (page.length === size) break;
    page.push(s);
  }
  return reply(ctx, page, { TotalCount: total(), PageNumber: number, PageSize: size, NextToken: '' });
}

function reply(
  ctx: EcsOperationContext,
  page: SimSnapshot[],
  paging: Record<string, unknown>,
): Record<string, unknown> {
  return {
    ...paging,
    Snapshots: { Snapshot: page.map((s) => snapshotToWire(ctx.state.world, s)) },
  };
}

/** Index (in an ascending-seq list) of the last entry with seq < bound, or -1. */
function upperIndexBelow(index: ReadonlyArray<{ seq: number }>, bound: number): number {
  let lo = 0;
  let hi = index.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (index[mid]!.seq < bound) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
