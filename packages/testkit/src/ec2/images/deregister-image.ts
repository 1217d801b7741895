import { Ec2ApiError } from '../errors.js';
import { IMAGE_ID_RE } from '../ids.js';
import type { QueryParams } from '../query-params.js';
import type { Ec2RequestContext } from '../state.js';
import { xmlElement, xmlItemSet } from '../xml.js';
import { imageErrors } from './image-errors.js';
import { backingSnapshotIds, canLaunch, type Ec2Image } from './image-model.js';

/**
 * The caller's own AMI `id` in its region: malformed ids, unknown ones and ones the caller
 * cannot see are `InvalidAMIID.*`; an AMI it can see but does not own is `AuthFailure`.
 */
export function ownedImage(ctx: Ec2RequestContext, id: string): Ec2Image {
  if (!IMAGE_ID_RE.test(id)) throw imageErrors.malformed(id);
  const image = ctx.state.images.images.get(id);
  if (!image || image.region !== ctx.region || !canLaunch(image, ctx.account))
    throw imageErrors.notFound([id]);
  if (image.account !== ctx.account) throw new Ec2ApiError('AuthFailure', `Not authorized for image:${id}`);
  return image;
}

/**
 * DeregisterImage. An AMI still being copied is how EC2 stops a copy: the AMI is
 * deregistered at once, and its backing snapshot copies still in progress are deleted
 * the way DeleteSnapshot deletes a pending copy (gone when the copy ends). With
 * `DeleteAssociatedSnapshots`, the AMI's snapshots go too, except those another
 * registered AMI still uses (`skipped`).
 */
export function deregisterImage(ctx: Ec2RequestContext, p: QueryParams): string {
  const { world, images } = ctx.state;
  const image = ownedImage(ctx, p.required('ImageId'));
  if (image.state === 'deregistered') throw imageErrors.unavailable(image.id);
  const deleteSnapshots = p.bool('DeleteAssociatedSnapshots') === true;
  const wasCopying = image.state === 'pending' && image.copy !== undefined;
  images.deregister(image);
  const results: string[] = [];
  for (const id of backingSnapshotIds(image)) {
    const s = world.snapshots.get(id);
    const pendingCopy = s?.copy !== undefined && s.state === 'pending';
    if (wasCopying && pendingCopy && s?.copy) s.copy.deleteRequested = true;
    if (!deleteSnapshots) continue;
    if (images.usersOf(id).length > 0) {
      results.push(xmlElement('snapshotId', id) + xmlElement('returnCode', 'skipped'));
      continue;
    }
    if (s && !pendingCopy) world.remove(id);
    else if (s?.copy) s.copy.deleteRequested = true;
    results.push(xmlElement('snapshotId', id) + xmlElement('returnCode', 'success'));
  }
  return xmlElement('return', true) + (deleteSnapshots ? xmlItemSet('deleteSnapshotResultSet', results) : '');
}
