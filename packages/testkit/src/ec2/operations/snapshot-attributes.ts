import type { SimSnapshot } from '../../sim/world.js';
import { Ec2ApiError, ec2Errors } from '../errors.js';
import { SNAPSHOT_ID_RE } from '../ids.js';
import { awsManagedEbsKey } from '../kms.js';
import type { QueryParams } from '../query-params.js';
import { canCreateVolume, readPermissionChange, shareRefusal } from '../snapshot-permissions.js';
import { ec2Extra } from '../snapshot-view.js';
import type { Ec2RequestContext } from '../state.js';
import { xmlElement, xmlItemSet } from '../xml.js';

/**
 * The snapshot a *Attribute call names, which only its owner may read or change. One the
 * caller cannot see at all is `InvalidSnapshot.NotFound`; one shared with it (it can
 * see it, it is not its owner) is `UnauthorizedOperation` [inferred: AWS documents the
 * owner-only rule, not the code].
 */
function ownedSnapshot(ctx: Ec2RequestContext, p: QueryParams): SimSnapshot {
  const id = p.required('SnapshotId');
  if (!SNAPSHOT_ID_RE.test(id)) throw ec2Errors.snapshotMalformed(id);
  const s = ctx.state.world.snapshots.get(id);
  if (!s || s.region !== ctx.region || !canCreateVolume(s, ctx.account))
    throw ec2Errors.snapshotNotFound([id]);
  if (s.account !== ctx.account) {
    throw new Ec2ApiError(
      'UnauthorizedOperation',
      `You are not authorized to modify or describe the attributes of snapshot ${id}: only its owner can.`,
      403,
    );
  }
  return s;
}

/**
 * ModifySnapshotAttribute (createVolumePermission): shares a snapshot with accounts or
 * makes it public (`all`), or takes that back. Refusals follow {@link shareRefusal}.
 */
export function modifySnapshotAttribute(ctx: Ec2RequestContext, p: QueryParams): string {
  const s = ownedSnapshot(ctx, p);
  const change = readPermissionChange(p);
  const managed = awsManagedEbsKey(ctx.state.world, s.account, s.region);
  const refusal = shareRefusal(
    {
      encrypted: s.encrypted,
      awsManagedKey: s.encrypted && managed !== undefined && s.kmsKeyId === managed.arn,
      productCodes: (ec2Extra(s).productCodes?.length ?? 0) > 0,
    },
    change,
  );
  if (refusal) throw new Ec2ApiError(refusal.code, refusal.message);
  const extra = ec2Extra(s);
  for (const user of change.userIds) {
    // The owner's own permission is implicit: naming it changes nothing.
    if (user === s.account) continue;
    if (change.operation === 'add') s.sharedWith.add(user);
    else s.sharedWith.delete(user);
  }
  if (change.groupAll) extra.public = change.operation === 'add';
  return xmlElement('return', true);
}

function readAttribute(p: QueryParams): 'createVolumePermission' | 'productCodes' {
  const attribute = p.required('Attribute');
  if (attribute !== 'createVolumePermission' && attribute !== 'productCodes') {
    throw ec2Errors.invalidParameterValue(`Value (${attribute}) for parameter attribute is invalid.`);
  }
  return attribute;
}

/** DescribeSnapshotAttribute: who may create volumes from the snapshot, or its product codes. */
export function describeSnapshotAttribute(ctx: Ec2RequestContext, p: QueryParams): string {
  const attribute = readAttribute(p);
  const s = ownedSnapshot(ctx, p);
  const extra = ec2Extra(s);
  if (attribute === 'productCodes') {
    const codes = (extra.productCodes ?? []).map(
      (c) => xmlElement('productCode', c.id) + xmlElement('type', c.type),
    );
    return xmlElement('snapshotId', s.id) + xmlItemSet('productCodes', codes);
  }
  const items = [
    ...(extra.public ? [xmlElement('group', 'all')] : []),
    ...[...s.sharedWith].map((u) => xmlElement('userId', u)),
  ];
  return xmlElement('snapshotId', s.id) + xmlItemSet('createVolumePermission', items);
}

/** ResetSnapshotAttribute: back to private (only `createVolumePermission` can be reset). */
export function resetSnapshotAttribute(ctx: Ec2RequestContext, p: QueryParams): string {
  const attribute = readAttribute(p);
  if (attribute !== 'createVolumePermission') {
    throw ec2Errors.invalidParameterValue('Only the createVolumePermission attribute can be reset.');
  }
  const s = ownedSnapshot(ctx, p);
  s.sharedWith.clear();
  ec2Extra(s).public = false;
  return xmlElement('return', true);
}
