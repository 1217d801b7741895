import { billDiskCopy } from '../copy-rules.js';
import type { EcsState } from '../ecs-state.js';
import type { EcsImage } from './ecs-image-model.js';

/**
 * Starts the snapshot copies of an image copy task at `at` (now, or when a queue slot
 * freed): one copy per disk into the image's region, each billed like CopySnapshot on the
 * size basis ECS documents (full snapshot, source disk for a first encrypted copy of an
 * unencrypted snapshot, the delta after an earlier copy of the disk with the same key).
 */
export function startImageCopy(state: EcsState, image: EcsImage, at: number): void {
  const { world } = state;
  const task = image.copy;
  if (!task) throw new Error(`${image.id} is not a copy`);
  const failMessage = state.takeAsyncFailure();
  const started: string[] = [];
  task.plans.forEach((plan, i) => {
    const source = world.snapshots.get(plan.sourceSnapshotId);
    if (!source) throw new Error(`the snapshot ${plan.sourceSnapshotId} of ${task.sourceImageId} is gone`);
    const earlier = state.copiesOfDisk(image.account, image.region, source.volumeId);
    const billing = billDiskCopy(source, { encrypted: plan.encrypted, keyId: plan.keyId }, earlier, (a, b) =>
      world.blocks.changedGiBBetween(a, b),
    );
    const copy = world.startCopy({
      source,
      account: image.account,
      region: image.region,
      encrypted: plan.encrypted,
      ...(plan.keyId !== undefined ? { kmsKeyId: plan.keyId } : {}),
      description: `Copied for image ${image.id} from ${source.id}`,
      movedGiB: billing.gib,
      startedAt: at,
      ...(failMessage !== undefined && i === 0 ? { failMessage } : {}),
      billing: {
        cloud: 'ecs',
        account: image.account,
        sourceSnapshotId: source.id,
        sourceRegion: source.region,
        destinationRegion: image.region,
        sizeBasis: billing.sizeBasis,
        transfer: billing.transfer,
        transferGiB: source.region === image.region ? 0 : billing.gib,
        storageGiB: billing.gib,
        timeBasedGiB: 0,
      },
    });
    state.register(copy);
    image.disks[i]!.snapshotId = copy.id;
    started.push(copy.id);
  });
  world.advance(started);
  task.startedAt = at;
  image.status = 'Creating';
}
