import { fixtureDeviceName, fixtureDiskSnapshots, fixtureImageIdentity } from '../../sim/image-disks.js';
import { newEcsImageId } from '../ids.js';
import type { EcsImage, EcsImageStatus } from './ecs-image-model.js';
import type { EcsImageStore } from './ecs-image-store.js';

/** A custom image to add to the ECS simulator. */
export interface EcsImageFixture {
  readonly account: string;
  readonly region: string;
  /** `m-` id; generated when absent. */
  readonly id?: string;
  readonly name: string;
  readonly description?: string;
  /**
   * The image's snapshots: completed, owned by `account` in `region`; the first is the
   * system disk, the others data disks.
   */
  readonly snapshotIds: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  /** Accounts the image is shared with. */
  readonly sharedWith?: Iterable<string>;
  /** Published as a community image. */
  readonly isPublic?: boolean;
  /** Default `Available`. */
  readonly status?: Extract<EcsImageStatus, 'Available' | 'UnAvailable' | 'CreateFailed' | 'Deprecated'>;
  readonly resourceGroupId?: string;
  /** Default `x86_64`. */
  readonly architecture?: string;
  /** Default `linux`. */
  readonly osType?: 'linux' | 'windows';
  /** Default `Aliyun`. */
  readonly platform?: string;
  /** Default `Alibaba Cloud Linux 3 64 bit`. */
  readonly osName?: string;
}

const DATA_DEVICES = 'bcdefghijklmnopq';

/** Builds a custom image from a fixture, checking its snapshots. */
export function addEcsImage(store: EcsImageStore, fixture: EcsImageFixture): EcsImage {
  const { world } = store.state;
  const identity = fixtureImageIdentity(fixture, {
    noun: 'image',
    idPattern: /^m-[a-z0-9]+$/,
    newId: newEcsImageId,
    images: store.images,
  });
  if (fixture.snapshotIds.length === 0) throw new Error(`image ${fixture.name} needs a system disk snapshot`);
  const disks = fixtureDiskSnapshots(world, fixture.snapshotIds, fixture).map((s, i) => {
    return {
      device: fixtureDeviceName(i, '/dev/xvd', DATA_DEVICES),
      type: i === 0 ? ('system' as const) : ('data' as const),
      snapshotId: s.id,
      sizeGiB: s.volumeSizeGiB,
    };
  });
  const now = world.clock.now();
  const shared = [...(fixture.sharedWith ?? [])];
  for (const a of shared) if (!world.accounts.has(a)) throw new Error(`unknown account ${a}`);
  return store.add({
    ...identity,
    status: fixture.status ?? 'Available',
    createdAt: now,
    disks,
    tags: new Map(Object.entries(fixture.tags ?? {})),
    sharedWith: new Map(shared.filter((a) => a !== fixture.account).map((a) => [a, now])),
    isPublic: fixture.isPublic === true,
    ...(fixture.resourceGroupId !== undefined ? { resourceGroupId: fixture.resourceGroupId } : {}),
    architecture: fixture.architecture ?? 'x86_64',
    osType: fixture.osType ?? 'linux',
    platform: fixture.platform ?? 'Aliyun',
    osName: fixture.osName ?? 'Alibaba Cloud Linux 3 64 bit',
  });
}
