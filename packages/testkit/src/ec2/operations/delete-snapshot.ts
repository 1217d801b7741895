import { Ec2ApiError, ec2Errors } from '../errors.js';
import { SNAPSHOT_ID_RE } from '../ids.js';
import type { QueryParams } from '../query-params.js';
import type { Ec2RequestContext } from '../state.js';

/**
 * DeleteSnapshot. A copy still in progress is not removed at once: EC2 records the
 * delete and applies it when the copy completes, so the snapshot stays visible as
 * `pending` until then. A snapshot a registered AMI uses is refused (`InvalidSnapshot.InUse`).
 */
export function deleteSnapshot(ctx: Ec2RequestContext, p: QueryParams): string {
  const { world } = ctx.state;
  const id = p.required('SnapshotId');
  if (!SNAPSHOT_ID_RE.test(id)) throw ec2Errors.snapshotMalformed(id);
  const s = world.snapshots.get(id);
  if (!s || s.region !== ctx.region || s.account !== ctx.account) throw ec2Errors.snapshotNotFound([id]);
  const user = ctx.state.images.usersOf(id)[0];
  if (user)
    throw new Ec2ApiError('InvalidSnapshot.InUse', `The snapshot ${id} is currently in use by ${user.id}`);
  if (s.copy && s.state === 'pending') s.copy.deleteRequested = true;
  else world.remove(id);
  return '<return>true</return>';
}
