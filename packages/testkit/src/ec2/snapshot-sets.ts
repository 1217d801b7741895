import type { SimSnapshot } from '../sim/world.js';
import { newDataKeyId } from './ids.js';
import type { Ec2Attachment, Ec2Instance } from './instances.js';
import type { Ec2RequestContext, Ec2SnapshotExtra, Ec2State } from './state.js';
import { checkTagLimit } from './tag-rules.js';

/*
 * Multi-volume snapshot sets (CreateSnapshots): one crash-consistent snapshot per attached
 * volume of an instance, all taken at the same point in time, each then an ordinary
 * snapshot. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSnapshots.html
 * and https://docs.aws.amazon.com/ebs/latest/userguide/ebs-create-snapshots.html
 */

/** What to take of an instance. */
export interface SnapshotSetSpec {
  readonly excludeBootVolume?: boolean;
  readonly excludeVolumeIds?: readonly string[];
  readonly description?: string;
  /** Tags every snapshot of the set gets (after the volume's own, when copied). */
  readonly tags?: ReadonlyMap<string, string>;
  /** `CopyTagsFromSource=volume`: each snapshot also gets its volume's tags. */
  readonly copyVolumeTags?: boolean;
  /** Fixed snapshot ids, in attachment order (seeds). */
  readonly ids?: readonly string[];
  /** Completed at once (a pre-made set in a seed) instead of `pending` until taken. */
  readonly completed?: boolean;
}

/** The attachments a spec selects, root first. */
export function selectAttachments(instance: Ec2Instance, spec: SnapshotSetSpec): Ec2Attachment[] {
  const excluded = new Set(spec.excludeVolumeIds ?? []);
  return instance.attachments.filter((a) => !(a.boot && spec.excludeBootVolume) && !excluded.has(a.volumeId));
}

/**
 * Takes the snapshots of one set: same start time, same description and tags; each
 * volume's encryption and key carry over. They are `pending` until their data is read
 * (throughput-bound, like copies), unless the spec says completed.
 */
export function takeSnapshotSet(
  state: Ec2State,
  instance: Ec2Instance,
  spec: SnapshotSetSpec,
): SimSnapshot[] {
  const { world, volumeMeta, creations } = state;
  const out: SimSnapshot[] = [];
  selectAttachments(instance, spec).forEach((a, i) => {
    const volume = world.volumes.get(a.volumeId);
    if (!volume) throw new Error(`volume ${a.volumeId} of ${instance.id} is not in the world`);
    const tags = new Map<string, string>();
    if (spec.copyVolumeTags) for (const [k, v] of volumeMeta.get(volume.id)?.tags ?? []) tags.set(k, v);
    for (const [k, v] of spec.tags ?? []) tags.set(k, v);
    checkTagLimit(tags.size);
    let earlier = false;
    for (const s of world.snapshots.values()) {
      if (s.volumeId === volume.id && !s.copy) {
        earlier = true;
        break;
      }
    }
    const extra: Ec2SnapshotExtra = volume.encrypted ? { dataEncryptionKeyId: newDataKeyId() } : {};
    const fixedId = spec.ids?.[i];
    const snapshot = creations.take(world, volume, { ...a, earlier }, spec.completed, {
      ...(fixedId !== undefined ? { id: fixedId } : {}),
      region: instance.region,
      account: instance.account,
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      tags: Object.fromEntries(tags),
      extra: { ...extra, instanceId: instance.id } as Record<string, unknown>,
    });
    out.push(snapshot);
  });
  return out;
}

/** The instance a request names, owned by the caller in the serving region. */
export function instanceOf(ctx: Ec2RequestContext, id: string): Ec2Instance | undefined {
  const i = ctx.state.instances.get(id);
  return i && i.account === ctx.account && i.region === ctx.region ? i : undefined;
}
