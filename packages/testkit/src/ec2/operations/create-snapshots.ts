import type { SimSnapshot } from '../../sim/world.js';
import { Ec2ApiError, ec2Errors } from '../errors.js';
import { INSTANCE_ID_RE, VOLUME_ID_RE } from '../ids.js';
import type { QueryParams } from '../query-params.js';
import { instanceOf, selectAttachments, takeSnapshotSet } from '../snapshot-sets.js';
import { progressText } from '../snapshot-view.js';
import type { Ec2RequestContext } from '../state.js';
import { xmlElement, xmlItemSet, xmlTagSet, xmlTimestamp } from '../xml.js';
import { parseTagSpecifications } from './copy-snapshot.js';

/** One `snapshotSet` item as CreateSnapshots returns it (the model's `SnapshotInfo`). */
function renderSnapshotInfo(s: SimSnapshot, region: string): string {
  return (
    xmlElement('description', s.description) +
    (s.tags.size > 0 ? xmlTagSet(s.tags) : '') +
    xmlElement('encrypted', s.encrypted) +
    xmlElement('volumeId', s.volumeId) +
    xmlElement('state', s.state) +
    xmlElement('volumeSize', s.volumeSizeGiB) +
    xmlElement('startTime', xmlTimestamp(s.startedAt)) +
    xmlElement('progress', progressText(s)) +
    xmlElement('ownerId', s.account) +
    xmlElement('snapshotId', s.id) +
    xmlElement('sseType', s.encrypted ? 'sse-kms' : 'none') +
    xmlElement('availabilityZone', `${region}a`)
  );
}

/**
 * CreateSnapshots: one snapshot per attached volume of an instance the caller owns in
 * the serving region, minus the root volume (`ExcludeBootVolume`) and listed data
 * volumes (`ExcludeDataVolumeId.N`); one start time, description and tag set for all.
 */
export function createSnapshots(ctx: Ec2RequestContext, p: QueryParams): string {
  const instanceId = p.required('InstanceSpecification.InstanceId');
  if (!INSTANCE_ID_RE.test(instanceId)) {
    throw new Ec2ApiError('InvalidInstanceID.Malformed', `Invalid id: "${instanceId}" (expecting "i-...")`);
  }
  const excludeBootVolume = p.bool('InstanceSpecification.ExcludeBootVolume') ?? false;
  const excludeVolumeIds = p.list('InstanceSpecification.ExcludeDataVolumeId');
  for (const id of excludeVolumeIds) if (!VOLUME_ID_RE.test(id)) throw ec2Errors.volumeMalformed(id);
  const copyFrom = p.get('CopyTagsFromSource');
  if (copyFrom !== undefined && copyFrom !== 'volume') {
    throw ec2Errors.invalidParameterValue(`Value (${copyFrom}) for parameter CopyTagsFromSource is invalid.`);
  }
  if (p.get('OutpostArn') !== undefined || (p.get('Location') ?? 'regional') !== 'regional') {
    throw new Ec2ApiError(
      'UnsupportedOperation',
      'Snapshots on Outposts and in Local Zones are not simulated.',
    );
  }
  const tags = parseTagSpecifications(p);
  const instance = instanceOf(ctx, instanceId);
  if (!instance) {
    throw new Ec2ApiError('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
  }
  for (const id of excludeVolumeIds) {
    const a = instance.attachments.find((x) => x.volumeId === id);
    // [inferred] EC2 documents ExcludeDataVolumeId as data (non-root) volumes of the instance.
    if (!a || a.boot) {
      throw ec2Errors.invalidParameterValue(
        `The volume '${id}' is not a data volume attached to ${instanceId}.`,
      );
    }
  }
  const spec = {
    excludeBootVolume,
    excludeVolumeIds,
    tags,
    copyVolumeTags: copyFrom === 'volume',
    ...(p.get('Description') !== undefined ? { description: p.get('Description')! } : {}),
  };
  if (selectAttachments(instance, spec).length === 0) {
    throw ec2Errors.invalidParameterValue(`No volumes of ${instanceId} are left to snapshot.`);
  }
  const snapshots = takeSnapshotSet(ctx.state, instance, spec);
  return xmlItemSet(
    'snapshotSet',
    snapshots.map((s) => renderSnapshotInfo(s, ctx.region)),
  );
}
