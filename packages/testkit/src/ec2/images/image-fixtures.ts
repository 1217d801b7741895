import { fixtureDeviceName, fixtureDiskSnapshots, fixtureImageIdentity } from '../../sim/image-disks.js';
import { IMAGE_ID_RE, newImageId } from '../ids.js';
import type { Ec2ImageStore } from './image-store.js';
import type { Ec2BlockDevice, Ec2Image, Ec2RootDeviceType } from './image-model.js';

/** An AMI to add to the simulator; anything left out gets a plain Linux x86_64 default. */
export interface Ec2ImageInput {
  readonly account: string;
  readonly region: string;
  /** `ami-` + 17 hex digits; generated when absent. */
  readonly id?: string;
  readonly name: string;
  readonly description?: string;
  /** Default `ebs`. */
  readonly rootDeviceType?: Ec2RootDeviceType;
  /**
   * EBS-backed AMIs: the backing snapshots, completed, owned by `account` in `region`; the
   * first is the root volume. Instance-store-backed AMIs have none.
   */
  readonly snapshotIds?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  /** Accounts given an explicit launch permission (the AMI is shared with them). */
  readonly launchPermissions?: Iterable<string>;
  /** Launch permission for everyone. */
  readonly public?: boolean;
  /** Default `available`; `failed` makes an AMI that cannot be copied. */
  readonly state?: 'available' | 'failed';
  /** The AMI lives on this Outpost (it cannot be copied to a Region). */
  readonly outpostArn?: string;
  readonly ownerAlias?: string;
  /** Default `x86_64`. */
  readonly architecture?: string;
}

const DATA_DEVICES = 'bcdefghijklmnopqrstuvwxyz';

/** Builds an AMI from a fixture, checking what the simulator's world requires of it. */
export function addEc2Image(store: Ec2ImageStore, input: Ec2ImageInput): Ec2Image {
  const { world } = store;
  const identity = fixtureImageIdentity(input, {
    noun: 'AMI',
    idPattern: IMAGE_ID_RE,
    newId: newImageId,
    images: store.images,
  });
  const rootDeviceType = input.rootDeviceType ?? 'ebs';
  const snapshotIds = input.snapshotIds ?? [];
  if (rootDeviceType === 'ebs' && snapshotIds.length === 0) {
    throw new Error(`EBS-backed AMI ${input.name} needs at least one backing snapshot`);
  }
  if (rootDeviceType === 'instance-store' && snapshotIds.length > 0) {
    throw new Error(`instance-store-backed AMI ${input.name} has no backing snapshots`);
  }
  const disks = fixtureDiskSnapshots(world, snapshotIds, input);
  const blockDevices: Ec2BlockDevice[] = disks.map((s, i) => {
    return {
      deviceName: fixtureDeviceName(i, '/dev/sd', DATA_DEVICES),
      snapshotId: s.id,
      volumeSizeGiB: s.volumeSizeGiB,
      volumeType: 'gp3',
      deleteOnTermination: i === 0,
    };
  });
  if (rootDeviceType === 'instance-store')
    blockDevices.push({ deviceName: '/dev/sdb', virtualName: 'ephemeral0' });
  const now = world.clock.now();
  return store.add({
    ...identity,
    rootDeviceType,
    rootDeviceName: rootDeviceType === 'ebs' ? '/dev/xvda' : '/dev/sda1',
    architecture: input.architecture ?? 'x86_64',
    state: input.state ?? 'available',
    ...(input.state === 'failed'
      ? { stateReason: { code: 'Client.InternalError', message: 'The image failed to register.' } }
      : {}),
    createdAt: now,
    blockDevices,
    tags: new Map(Object.entries(input.tags ?? {})),
    launchPermissions: new Set([...(input.launchPermissions ?? [])].filter((a) => a !== input.account)),
    public: input.public === true,
    ...(input.outpostArn !== undefined ? { outpostArn: input.outpostArn } : {}),
    ...(input.ownerAlias !== undefined ? { ownerAlias: input.ownerAlias } : {}),
    ...(rootDeviceType === 'instance-store'
      ? { manifestLocation: `amis-for-${input.account}-in-${input.region}/${input.name}.manifest.xml` }
      : {}),
  });
}
