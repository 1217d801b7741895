import type { EcsOperationContext } from './operation-context.js';
import { EcsApiError } from './rpc-errors.js';

/**
 * DeleteSnapshot: no `RegionId` (ids are global). A progressing copy is cancelled at once
 * and its partial snapshot removed, unlike EC2 where the delete waits for completion.
 * A snapshot a custom image is made of is refused (`SnapshotCreatedImage`).
 */
export function deleteSnapshot(ctx: EcsOperationContext): Record<string, unknown> {
  const id = ctx.params.require('SnapshotId');
  ctx.params.bool('Force');
  const world = ctx.state.world;
  const s = world.snapshots.get(id);
  if (!s || s.account !== ctx.account.id) {
    throw new EcsApiError(404, 'InvalidSnapshotId.NotFound', 'The specified snapshot does not exist.');
  }
  if (ctx.state.images.usersOf(id).length > 0) {
    throw new EcsApiError(
      403,
      'SnapshotCreatedImage',
      'The snapshot has been used to create user defined image(s).',
    );
  }
  world.remove(id);
  return {};
}
