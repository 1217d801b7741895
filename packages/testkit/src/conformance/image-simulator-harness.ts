import type { Ec2Image } from '../ec2/images/image-model.js';
import type { Ec2Simulator } from '../ec2/simulator.js';
import type { EcsImage } from '../ecs/images/ecs-image-model.js';
import type { EcsSimulator } from '../ecs/ecs-simulator.js';
import type { ConformanceOperation } from './harness.js';
import type { ImageConformanceTruth, TruthImage } from './image-harness.js';
import { simWorldTruth, tagsAndToken } from './simulator-harness.js';

/** The image suite's operations on a cloud whose image calls are `CopyImage` and `DescribeImages`. */
export function imageOperations<D extends string>(deleteOperation: D) {
  return {
    copy: 'CopyImage',
    status: 'DescribeImages',
    'describe-source': 'DescribeSnapshots',
    delete: deleteOperation,
  } as const satisfies Record<ConformanceOperation, string>;
}

/** The image suite's operations as the EC2 simulator names them. */
export const EC2_IMAGE_OPERATIONS = imageOperations('DeregisterImage');

/** The image suite's operations as the ECS simulator names them (CancelCopyImage and DeleteImage both delete). */
export const ECS_IMAGE_OPERATIONS = imageOperations('CancelCopyImage');

/** Request kinds of an image run: the image calls, source reads, and the calls that remove a copy. */
export function imageRequestKinds(
  ...deleteOperations: string[]
): Readonly<Record<string, ConformanceOperation>> {
  const kinds: Record<string, ConformanceOperation> = {
    CopyImage: 'copy',
    DescribeImages: 'status',
    DescribeSnapshots: 'describe-source',
  };
  for (const op of deleteOperations) kinds[op] = 'delete';
  return kinds;
}

/** How a harness names keys: see `SimWorldTruthOptions.resolveKey`. */
type ResolveKey = (region: string, ref: string) => unknown;

function imageTruth<I>(
  list: () => readonly I[],
  truthOf: (image: I) => TruthImage,
  snapshots: ReturnType<typeof simWorldTruth>,
): ImageConformanceTruth {
  const all = () => list().map(truthOf);
  const copies = () => all().filter((i) => i.copyOf !== undefined);
  return {
    image: (region, imageId) => all().find((i) => i.id === imageId && i.region === region),
    imageCopies: copies,
    imageCopiesWithToken: (token) => copies().filter((i) => i.clientToken === token),
    snapshot: (region, id) => snapshots.snapshot(region, id),
    sameKey: (region, a, b) => snapshots.sameKey(region, a, b),
    requests: () => snapshots.requests(),
  };
}

/** What {@link truthOfImage} reads of a simulated image. */
interface SimImage {
  readonly id: string;
  readonly region: string;
  readonly account: string;
  readonly tags: ReadonlyMap<string, string>;
  readonly copy?: {
    readonly sourceRegion: string;
    readonly sourceImageId: string;
    readonly clientToken?: string;
  };
}

/**
 * A simulated image as the suite's {@link TruthImage}. The client token is the one the copy
 * was made with, else the `snapcopy:client-token` lineage tag.
 */
export function truthOfImage(
  image: SimImage,
  state: TruthImage['state'],
  snapshotIds: readonly string[],
): TruthImage {
  const { tags, token } = tagsAndToken(image);
  return {
    id: image.id,
    region: image.region,
    account: image.account,
    state,
    tags,
    snapshotIds,
    ...(image.copy ? { copyOf: { region: image.copy.sourceRegion, imageId: image.copy.sourceImageId } } : {}),
    ...(token === undefined ? {} : { clientToken: token }),
  };
}

const EC2_STATE: Record<Ec2Image['state'], TruthImage['state']> = {
  pending: 'pending',
  available: 'completed',
  failed: 'failed',
  deregistered: 'removed',
};

/** The image truth over an {@link Ec2Simulator}: a deregistered AMI EC2 still shows reads `removed`. */
export function ec2ImageTruth(sim: Ec2Simulator, resolveKey: ResolveKey): ImageConformanceTruth {
  const snapshots = simWorldTruth(sim.world, {
    refresh: () => sim.advance(),
    resolveKey,
    requestKinds: imageRequestKinds('DeregisterImage', 'DeleteSnapshot'),
  });
  const snapshotIds = (i: Ec2Image) => i.blockDevices.flatMap((d) => (d.snapshotId ? [d.snapshotId] : []));
  return imageTruth(
    () => sim.images(),
    (i) => truthOfImage(i, EC2_STATE[i.state], snapshotIds(i)),
    snapshots,
  );
}

function ecsState(image: EcsImage): TruthImage['state'] {
  switch (image.status) {
    case 'Waiting':
    case 'Creating':
      return 'pending';
    case 'Available':
    case 'Deprecated':
      return 'completed';
    default:
      return 'failed';
  }
}

/** The image truth over an {@link EcsSimulator}. */
export function ecsImageTruth(sim: EcsSimulator, resolveKey: ResolveKey): ImageConformanceTruth {
  const snapshots = simWorldTruth(sim.world, {
    refresh: () => sim.advance(),
    resolveKey,
    requestKinds: imageRequestKinds('CancelCopyImage', 'DeleteImage', 'DeleteSnapshot'),
  });
  return imageTruth(
    () => {
      sim.advance();
      return [...sim.state.images.images.values()];
    },
    (i) =>
      truthOfImage(
        i,
        ecsState(i),
        i.disks.flatMap((d) => (d.snapshotId ? [d.snapshotId] : [])),
      ),
    snapshots,
  );
}
