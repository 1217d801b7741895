import type { SimSnapshot } from '../sim/world.js';
import { COPY_VOLUME_ID } from './ids.js';
import type { Ec2SnapshotExtra } from './state.js';
import { xmlElement, xmlTagSet, xmlTimestamp } from './xml.js';

const GiB = 1024 ** 3;

/** The EC2-only fields of a snapshot. */
export const ec2Extra = (s: SimSnapshot): Ec2SnapshotExtra => s.extra as Ec2SnapshotExtra;

/** The volume id EC2 reports: copies show an arbitrary one. */
export const displayVolumeId = (s: SimSnapshot): string => (s.copy ? COPY_VOLUME_ID : s.volumeId);

/** `standard` or `archive`. */
export const storageTier = (s: SimSnapshot): 'standard' | 'archive' =>
  s.category === 'archive' ? 'archive' : 'standard';

/** `time-based` or `standard` for copies; undefined for snapshots that are not copies. */
export const transferType = (s: SimSnapshot): 'time-based' | 'standard' | undefined =>
  s.copy ? (s.copy.completionDurationMinutes !== undefined ? 'time-based' : 'standard') : undefined;

/** Progress as EC2 writes it, with the percent sign. */
export const progressText = (s: SimSnapshot): string => `${s.progress}%`;

/**
 * One `<item>` of `snapshotSet`, with every member the EC2 model defines that applies to
 * this snapshot (absent members are omitted, as EC2 does).
 */
export function renderSnapshotItem(s: SimSnapshot): string {
  const x = ec2Extra(s);
  const tier = storageTier(s);
  const transfer = transferType(s);
  return (
    xmlElement('snapshotId', s.id) +
    xmlElement('volumeId', displayVolumeId(s)) +
    xmlElement('status', s.state) +
    (s.state === 'error' ? xmlElement('statusMessage', s.stateMessage ?? '') : '') +
    xmlElement('startTime', xmlTimestamp(s.startedAt)) +
    xmlElement('progress', progressText(s)) +
    xmlElement('ownerId', s.account) +
    xmlElement('ownerAlias', x.ownerAlias) +
    xmlElement('volumeSize', s.volumeSizeGiB) +
    xmlElement('description', s.description) +
    xmlElement('encrypted', s.encrypted) +
    (s.encrypted ? xmlElement('kmsKeyId', s.kmsKeyId) : '') +
    (s.encrypted ? xmlElement('dataEncryptionKeyId', x.dataEncryptionKeyId) : '') +
    (s.tags.size > 0 ? xmlTagSet(s.tags) : '') +
    xmlElement('storageTier', tier) +
    (x.restoreExpiryTime !== undefined
      ? xmlElement('restoreExpiryTime', xmlTimestamp(x.restoreExpiryTime))
      : '') +
    xmlElement('outpostArn', x.outpostArn) +
    xmlElement('sseType', s.encrypted ? 'sse-kms' : 'none') +
    xmlElement('transferType', transfer) +
    (transfer === 'time-based'
      ? xmlElement('completionDurationMinutes', s.copy?.completionDurationMinutes)
      : '') +
    (s.state === 'completed' && s.completedAt !== undefined
      ? xmlElement('completionTime', xmlTimestamp(s.completedAt))
      : '') +
    xmlElement('fullSnapshotSizeInBytes', s.sizeGiB * GiB)
  );
}
