import type { EcsOperationContext } from '../operation-context.js';
import { EcsApiError, ecsErrors } from '../rpc-errors.js';
import { ecsTime } from '../time-format.js';
import type { EcsImage } from './ecs-image-model.js';
import { imageRegion, requireOwnImage } from './image-lifecycle.js';

/** Accounts one custom image can be shared with. */
export const ECS_IMAGE_SHARE_LIMIT = 50;
/** Accounts one ModifyImageSharePermission call handles per list; the rest are ignored. */
export const ECS_SHARE_ACCOUNTS_PER_CALL = 10;

/** Whether any disk of the image is encrypted with a service key (such images cannot be shared). */
function usesServiceKey(ctx: EcsOperationContext, image: EcsImage): boolean {
  return image.disks.some((d) => {
    const s = d.snapshotId === undefined ? undefined : ctx.state.world.snapshots.get(d.snapshotId);
    return (
      s?.encrypted === true &&
      s.kmsKeyId !== undefined &&
      ctx.state.world.keys.get(s.kmsKeyId)?.serviceKey === true
    );
  });
}

const encrypted = (ctx: EcsOperationContext, image: EcsImage) =>
  image.disks.some(
    (d) => d.snapshotId !== undefined && ctx.state.world.snapshots.get(d.snapshotId)?.encrypted === true,
  );

/**
 * ModifyImageSharePermission of the caller's own available image: `AddAccount.N` and
 * `RemoveAccount.N` (the first 10 of each), `IsPublic` (publish/unpublish as a community
 * image). Sharing with oneself, with unknown accounts, past 50 accounts, or sharing an
 * image encrypted with a service key is refused; encrypted images are never published.
 */
export function modifyImageSharePermission(ctx: EcsOperationContext): Record<string, unknown> {
  const p = ctx.params;
  const region = imageRegion(ctx);
  const image = requireOwnImage(ctx, region, p.require('ImageId'));
  if (image.status !== 'Available')
    throw new EcsApiError(400, 'IncorrectImageStatus', 'The image is not available.');
  const add = p.list('AddAccount').slice(0, ECS_SHARE_ACCOUNTS_PER_CALL);
  const remove = p.list('RemoveAccount').slice(0, ECS_SHARE_ACCOUNTS_PER_CALL);
  const isPublic = p.bool('IsPublic');
  for (const a of [...add, ...remove]) {
    if (a === ctx.account.id)
      throw new EcsApiError(404, 'InvalidAccount.Forbbiden', 'The specified Account does not yourself.');
    if (!ctx.state.world.accounts.has(a)) {
      throw new EcsApiError(
        404,
        'InvalidAccount.NotFound',
        `The specified account ${a} in parameter "AddAccount.n" or "RemoveAccount.n" does not exist.`,
      );
    }
  }
  if (add.length > 0 && usesServiceKey(ctx, image)) {
    throw new EcsApiError(
      403,
      'InvalidOperation.ServiceKeyEncryptedImageUnsupported',
      'The specified service key encrypted image is not supported for this operation. Please switch to a CMK (Customer Master Key) encrypted image and retry.',
    );
  }
  const after = new Set(image.sharedWith.keys());
  for (const a of add) after.add(a);
  for (const a of remove) after.delete(a);
  if (after.size > ECS_IMAGE_SHARE_LIMIT) {
    throw new EcsApiError(403, 'QuotaExceed.ShareImageUser', 'The shared Image user Quota exceeds.');
  }
  if (isPublic === true && encrypted(ctx, image)) {
    throw new EcsApiError(
      403,
      'OperationDeined.EncryptedSnapshot',
      'The image contains encrypted snapshots, which do not support share.',
    );
  }
  if (p.bool('DryRun') === true) {
    throw new EcsApiError(400, 'DryRunOperation', 'Request validation has been passed with DryRun flag set.');
  }
  const now = ctx.state.world.clock.now();
  for (const a of add) if (!image.sharedWith.has(a)) image.sharedWith.set(a, now);
  for (const a of remove) image.sharedWith.delete(a);
  if (isPublic !== undefined) image.isPublic = isPublic;
  return {};
}

/** DescribeImageSharePermission of the caller's own image: the accounts (paged) and the group `all` when public. */
export function describeImageSharePermission(ctx: EcsOperationContext): Record<string, unknown> {
  const p = ctx.params;
  const region = imageRegion(ctx);
  const image = requireOwnImage(ctx, region, p.require('ImageId'));
  const pageNumber = p.int('PageNumber', 1, 1_000_000_000, () => ecsErrors.invalid('PageNumber')) ?? 1;
  const pageSize =
    p.int('PageSize', 1, 100, () => ecsErrors.invalid('PageSize', 'must be an integer from 1 to 100')) ?? 10;
  const accounts = [...image.sharedWith].map(([AliyunId, at]) => ({ AliyunId, SharedTime: ecsTime(at) }));
  return {
    ImageId: image.id,
    RegionId: region,
    TotalCount: accounts.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    Accounts: { Account: accounts.slice((pageNumber - 1) * pageSize, pageNumber * pageSize) },
    ShareGroups: { ShareGroup: image.isPublic ? [{ Group: 'all' }] : [] },
  };
}
