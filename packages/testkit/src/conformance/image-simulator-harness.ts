// The image truth over the EC2 and ECS simulators, for an image adapter's conformance
// harness: each image as the simulated cloud holds it, read from its own state.
import { LINEAGE_TAGS } from '@snapcopy/core';
import type { Ec2Image } from '../ec2/images/image-model.js';
import type { Ec2Simulator } from '../ec2/simulator.js';
import type { EcsImage } from '../ecs/images/ecs-image-model.js';
import type { EcsSimulator } from '../ecs/ecs-simulator.js';
import type { ConformanceOperation } from './harness.js';
import type { ImageConformanceTruth, TruthImage } from './image-harness.js';
import { simWorldTruth } from './simulator-harness.js';

/** The image suite's operations as the EC2 simulator names them. */
export const EC2_IMAGE_OPERATIONS = {
  copy: 'CopyImage',
  status: 'DescribeImages',
  'describe-source': 'DescribeSnapshots',
  delete: 'DeregisterImage',
} as const satisfies Record<ConformanceOperation, string>;

/** The image suite's operations as the ECS simulator names them (CancelCopyImage and DeleteImage both delete). */
export const ECS_IMAGE_OPERATIONS = {
  copy: 'CopyImage',
  status: 'DescribeImages',
  'describe-source': 'DescribeSnapshots',
  delete: 'CancelCopyImage',
} as const satisfies Record<ConformanceOperation, string>;

const EC2_IMAGE_REQUEST_KINDS: Readonly<Record<string, ConformanceOperation>> = {
  CopyImage: 'copy',
  DescribeImages: 'status',
  DescribeSnapshots: 'describe-source',
  DeregisterImage: 'delete',
  DeleteSnapshot: 'delete',
};

const ECS_IMAGE_REQUEST_KINDS: Readonly<Record<string, ConformanceOperation>> = {
  CopyImage: 'copy',
  DescribeImages: 'status',
  DescribeSnapshots: 'describe-source',
  CancelCopyImage: 'delete',
  DeleteImage: 'delete',
  DeleteSnapshot: 'delete',
};

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
    requestKinds: EC2_IMAGE_REQUEST_KINDS,
  });
  return imageTruth(
    () => sim.images(),
    (i) => {
      const tags = Object.fromEntries(i.tags);
      const token = i.copy?.clientToken ?? tags[LINEAGE_TAGS.clientToken];
      return {
        id: i.id,
        region: i.region,
        account: i.account,
        state: EC2_STATE[i.state],
        tags,
        snapshotIds: i.blockDevices.flatMap((d) => (d.snapshotId ? [d.snapshotId] : [])),
        ...(i.copy ? { copyOf: { region: i.copy.sourceRegion, imageId: i.copy.sourceImageId } } : {}),
        ...(token === undefined ? {} : { clientToken: token }),
      };
    },
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
    requestKinds: ECS_IMAGE_REQUEST_KINDS,
  });
  return imageTruth(
    () => {
      sim.advance();
      return [...sim.state.images.images.values()];
    },
    (i) => {
      const tags = Object.fromEntries(i.tags);
      const token = i.copy?.clientToken ?? tags[LINEAGE_TAGS.clientToken];
      return {
        id: i.id,
        region: i.region,
        account: i.account,
        state: ecsState(i),
        tags,
        snapshotIds: i.disks.flatMap((d) => (d.snapshotId ? [d.snapshotId] : [])),
        ...(i.copy ? { copyOf: { region: i.copy.sourceRegion, imageId: i.copy.sourceImageId } } : {}),
        ...(token === undefined ? {} : { clientToken: token }),
      };
    },
    snapshots,
  );
}
