import type { EcsOperationContext } from './operation-context.js';
import { EcsApiError } from './rpc-errors.js';
import { isValidSnapshotName } from './validation.js';

/**
 * ModifySnapshotAttribute (ECS API 2014-05-26): a snapshot's name, description and
 * retention. It shares nothing: ECS has no API that shares a snapshot with another
 * account. `RetentionDays` (1–65536) can only be extended; the snapshot is released when
 * it ends. `DisableInstantAccess` is deprecated and ignored.
 * https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-modifysnapshotattribute
 */
export function modifySnapshotAttribute(ctx: EcsOperationContext): Record<string, unknown> {
  const { params: p, state, account } = ctx;
  const id = p.require('SnapshotId');
  const name = p.get('SnapshotName');
  const description = p.get('Description');
  if (name !== undefined && name !== '' && (!isValidSnapshotName(name) || /^auto/i.test(name))) {
    throw new EcsApiError(403, 'InvalidSnapshotName.Malformed', 'The specified SnapshotName is not valid.');
  }
  if (description !== undefined && (description.length > 256 || /^https?:\/\//i.test(description))) {
    throw new EcsApiError(403, 'InvalidDescription.Malformed', 'The specified Description is not valid.');
  }
  const retentionDays = p.int(
    'RetentionDays',
    1,
    65536,
    () =>
      new EcsApiError(
        403,
        'InvalidRetentionDays.Malformed',
        'RetentionDays must be an integer from 1 to 65536.',
      ),
  );
  p.bool('DisableInstantAccess');
  const s = state.world.snapshots.get(id);
  if (!s || s.account !== account.id) {
    throw new EcsApiError(404, 'InvalidSnapshotId.NotFound', 'The specified snapshot does not exist.');
  }
  if (retentionDays !== undefined && s.retentionDays !== undefined && retentionDays < s.retentionDays) {
    // [inferred code] the reference says a retention period can be extended, not shortened.
    throw new EcsApiError(
      403,
      'InvalidRetentionDays.Malformed',
      'The retention period of a snapshot can only be extended.',
    );
  }
  if (name !== undefined) s.name = name === '' ? undefined : name;
  if (description !== undefined) s.description = description === '' ? undefined : description;
  if (retentionDays !== undefined) {
    s.retentionDays = retentionDays;
    state.trackRetention(s);
  }
  return {};
}
