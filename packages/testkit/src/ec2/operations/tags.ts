import { Ec2ApiError, ec2Errors } from '../errors.js';
import { SNAPSHOT_ID_RE, VOLUME_ID_RE } from '../ids.js';
import type { QueryParams } from '../query-params.js';
import type { Ec2RequestContext } from '../state.js';
import { ownedImage } from '../images/deregister-image.js';
import { checkTagLimit, validateTag } from '../tag-rules.js';

/** The tag map of a snapshot, volume or AMI the caller owns in the region. */
function tagsOf(ctx: Ec2RequestContext, id: string): Map<string, string> {
  const { world, volumeMeta } = ctx.state;
  if (id.startsWith('snap-')) {
    if (!SNAPSHOT_ID_RE.test(id)) throw ec2Errors.snapshotMalformed(id);
    const s = world.snapshots.get(id);
    if (!s || s.region !== ctx.region || s.account !== ctx.account) throw ec2Errors.snapshotNotFound([id]);
    return s.tags;
  }
  if (id.startsWith('vol-')) {
    if (!VOLUME_ID_RE.test(id)) throw ec2Errors.volumeMalformed(id);
    const v = world.volumes.get(id);
    const meta = volumeMeta.get(id);
    if (!v || !meta || v.region !== ctx.region || v.account !== ctx.account)
      throw ec2Errors.volumeNotFound([id]);
    return meta.tags;
  }
  // AMIs too (CreateTags tags any EC2 resource), a deregistered one while EC2 still shows it.
  if (id.startsWith('ami-')) return ownedImage(ctx, id).tags;
  throw new Ec2ApiError('InvalidID', `The ID '${id}' is not valid`);
}

/** CreateTags on snapshots, volumes and AMIs: adds or overwrites the given keys, ≤ 50 per resource. */
export function createTags(ctx: Ec2RequestContext, p: QueryParams): string {
  const ids = p.list('ResourceId');
  if (ids.length === 0) throw ec2Errors.missingParameter('ResourceId');
  const tags = p.tags('Tag');
  if (tags.length === 0) throw ec2Errors.missingParameter('Tag');
  for (const [k, v] of tags) validateTag(k, v ?? '');
  const targets = ids.map((id) => tagsOf(ctx, id));
  for (const target of targets) {
    const keys = new Set([...target.keys(), ...tags.map(([k]) => k)]);
    checkTagLimit(keys.size);
  }
  for (const target of targets) for (const [k, v] of tags) target.set(k, v ?? '');
  return '<return>true</return>';
}

/**
 * DeleteTags: a key with a value deletes the tag only when the value matches (an empty
 * value matches only an empty value); a key alone deletes it; no `Tag.N` deletes all.
 */
export function deleteTags(ctx: Ec2RequestContext, p: QueryParams): string {
  const ids = p.list('ResourceId');
  if (ids.length === 0) throw ec2Errors.missingParameter('ResourceId');
  const tags = p.tags('Tag');
  const targets = ids.map((id) => tagsOf(ctx, id));
  for (const target of targets) {
    if (tags.length === 0) {
      target.clear();
      continue;
    }
    for (const [k, v] of tags) if (v === undefined || target.get(k) === v) target.delete(k);
  }
  return '<return>true</return>';
}
