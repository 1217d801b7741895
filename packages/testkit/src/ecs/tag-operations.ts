import type { SimSnapshot } from '../sim/world.js';
import type { EcsOperationContext } from './operation-context.js';
import { EcsApiError } from './rpc-errors.js';
import { tagKeyProblem, tagValueProblem } from './validation.js';

const MAX_TAGS_PER_RESOURCE = 20;
const LIST_PAGE_ROWS = 50;

function missing(name: string): EcsApiError {
  return new EcsApiError(404, `MissingParameter.${name}`, `The parameter ${name} is required.`);
}

/** RegionId, ResourceType (only `snapshot` is modelled) and the resources, owned by the caller. */
function readScope(
  ctx: EcsOperationContext,
  requireIds: boolean,
): { region: string; resources: SimSnapshot[] } {
  const p = ctx.params;
  const region = p.get('RegionId');
  if (!region) throw missing('RegionId');
  if (!ctx.state.world.regions.has(region)) {
    throw new EcsApiError(404, 'InvalidRegionId.NotFound', 'The specified RegionId does not exist.');
  }
  const type = p.get('ResourceType');
  if (!type) throw missing('ResourceType');
  if (type !== 'snapshot') {
    throw new EcsApiError(
      404,
      'InvalidResourceType.NotFound',
      `The resource type "${type}" is not supported here.`,
    );
  }
  const ids = p.list('ResourceId');
  if (requireIds && ids.length === 0) throw missing('ResourceIds');
  if (ids.length > 50)
    throw new EcsApiError(400, 'NumberExceed.ResourceIds', 'The number of ResourceId exceeds 50.');
  const resources = ids.map((id) => {
    const s = ctx.state.world.snapshots.get(id);
    if (!s || s.region !== region || s.account !== ctx.account.id) {
      throw new EcsApiError(404, 'InvalidResourceId.NotFound', `The specified resource ${id} is not found.`);
    }
    return s;
  });
  return { region, resources };
}

/** TagResources: adds or overwrites up to 20 tags on up to 50 snapshots. */
export function tagResources(ctx: EcsOperationContext): Record<string, unknown> {
  const { resources } = readScope(ctx, true);
  const structs = ctx.params.structs('Tag');
  if (structs.length === 0) throw missing('Tags');
  if (structs.length > 20) throw new EcsApiError(400, 'NumberExceed.Tags', 'The number of tags exceeds 20.');
  const tags = new Map<string, string>();
  for (const { fields } of structs) {
    const key = fields.Key ?? '';
    const value = fields.Value ?? '';
    const keyProblem = tagKeyProblem(key);
    if (keyProblem) throw new EcsApiError(400, 'InvalidTagKey.Malformed', keyProblem);
    const valueProblem = tagValueProblem(value);
    if (valueProblem) throw new EcsApiError(400, 'InvalidTagValue.Malformed', valueProblem);
    if (tags.has(key)) throw new EcsApiError(400, 'Duplicate.TagKey', 'The Tag.N.Key contain duplicate key.');
    tags.set(key, value);
  }
  for (const s of resources) {
    const merged = new Set([...s.tags.keys(), ...tags.keys()]);
    if (merged.size > MAX_TAGS_PER_RESOURCE) {
      throw new EcsApiError(
        400,
        'OperationDenied.QuotaExceed',
        `The tag quota of resource ${s.id} is exceeded.`,
      );
    }
  }
  for (const s of resources) for (const [k, v] of tags) s.tags.set(k, v);
  return {};
}

/** UntagResources: removes the listed keys, or every tag with `All=true`. */
export function untagResources(ctx: EcsOperationContext): Record<string, unknown> {
  const { resources } = readScope(ctx, true);
  const keys = ctx.params.list('TagKey');
  if (keys.length > 20) throw new EcsApiError(400, 'NumberExceed.Tags', 'The number of tag keys exceeds 20.');
  const all = ctx.params.bool('All') === true;
  for (const s of resources) {
    if (all) s.tags.clear();
    else for (const k of keys) s.tags.delete(k);
  }
  return {};
}

/**
 * ListTagResources: one row per (snapshot, tag), for the listed snapshots or for every
 * snapshot in the region carrying the `Tag.N` filters; 50 rows a page with `NextToken`.
 */
export function listTagResources(ctx: EcsOperationContext): Record<string, unknown> {
  const { region, resources } = readScope(ctx, false);
  const filters = ctx.params.structs('Tag');
  if (filters.length > 20) throw new EcsApiError(400, 'NumberExceed.Tags', 'The number of tags exceeds 20.');
  for (const { fields } of filters) {
    if (fields.Key === undefined || fields.Key === '') {
      throw new EcsApiError(400, 'InvalidParameter.TagValue', 'A Tag.N.Value needs its Tag.N.Key.');
    }
  }
  if (resources.length === 0 && filters.length === 0) throw missing('ResourceIds');
  const candidates =
    resources.length > 0
      ? resources
      : ctx.state
          .ownedInRegion(ctx.account.id, region)
          .map((e) => ctx.state.world.snapshots.get(e.id))
          .filter((s): s is SimSnapshot => s !== undefined);
  const carries = (s: SimSnapshot) =>
    filters.every(
      ({ fields }) =>
        s.tags.has(fields.Key!) && (fields.Value === undefined || s.tags.get(fields.Key!) === fields.Value),
    );
  const rows: Array<Record<string, string>> = [];
  for (const s of candidates) {
    if (!carries(s)) continue;
    for (const [TagKey, TagValue] of s.tags)
      rows.push({ ResourceId: s.id, ResourceType: 'snapshot', TagKey, TagValue });
  }
  const token = ctx.params.get('NextToken');
  let offset = 0;
  if (token) {
    const m = /^rows:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!m) throw new EcsApiError(400, 'InvalidParameter.NextToken', 'The specified NextToken is not valid.');
    offset = Number(m[1]);
  }
  const page = rows.slice(offset, offset + LIST_PAGE_ROWS);
  const next =
    offset + LIST_PAGE_ROWS < rows.length
      ? Buffer.from(`rows:${offset + LIST_PAGE_ROWS}`).toString('base64url')
      : '';
  return { NextToken: next, TagResources: { TagResource: page } };
}
