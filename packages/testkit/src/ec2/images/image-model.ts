/** The states an AMI goes through in the simulator (a subset of EC2's `ImageState`). */
export type Ec2ImageState = 'pending' | 'available' | 'failed' | 'deregistered';

/** Where an AMI's root volume comes from. */
export type Ec2RootDeviceType = 'ebs' | 'instance-store';

/**
 * One block device mapping of an AMI: an EBS volume restored from a snapshot, or (on
 * instance-store-backed AMIs) an instance store volume named by `virtualName`.
 */
export interface Ec2BlockDevice {
  readonly deviceName: string;
  /** The backing snapshot of an EBS mapping. */
  readonly snapshotId?: string;
  readonly volumeSizeGiB?: number;
  readonly volumeType?: string;
  readonly deleteOnTermination?: boolean;
  /** `ephemeralN` for an instance store volume. */
  readonly virtualName?: string;
}

/** What made an AMI that is a copy, and how. */
export interface Ec2ImageCopyTask {
  readonly sourceImageId: string;
  readonly sourceRegion: string;
  readonly startedAt: number;
  /** When an instance-store-backed copy (no snapshots to wait for) becomes available. */
  readonly readyAt: number;
  readonly clientToken?: string;
  readonly snapshotCopyCompletionDurationMinutes?: number;
}

/** Why an AMI is `failed`, as `stateReason` shows it. */
export interface Ec2StateReason {
  readonly code: string;
  readonly message: string;
}

/** An AMI: the EC2 image record; its data lives in the backing snapshots of the world. */
export interface Ec2Image {
  readonly id: string;
  readonly region: string;
  /** Owner account. */
  readonly account: string;
  readonly name: string;
  description?: string;
  readonly rootDeviceType: Ec2RootDeviceType;
  readonly rootDeviceName: string;
  readonly architecture: string;
  state: Ec2ImageState;
  stateReason?: Ec2StateReason;
  readonly createdAt: number;
  deregisteredAt?: number;
  readonly blockDevices: readonly Ec2BlockDevice[];
  readonly tags: Map<string, string>;
  /** Accounts with an explicit launch permission. */
  readonly launchPermissions: Set<string>;
  /** Launch permission for the group `all`. */
  public: boolean;
  /** The Outpost the AMI (and its snapshots) lives on. */
  readonly outpostArn?: string;
  /** `amazon`, `aws-marketplace`, … for images those owners publish. */
  readonly ownerAlias?: string;
  /** For instance-store-backed AMIs: the S3 manifest (`bucket/name.manifest.xml`). */
  readonly manifestLocation?: string;
  readonly copy?: Ec2ImageCopyTask;
}

/** The backing snapshot ids of an AMI, in mapping order. */
export function backingSnapshotIds(image: Ec2Image): string[] {
  const ids: string[] = [];
  for (const d of image.blockDevices) if (d.snapshotId !== undefined) ids.push(d.snapshotId);
  return ids;
}

/** Whether `account` may launch (and so see and copy) the image. */
export function canLaunch(image: Ec2Image, account: string): boolean {
  return image.account === account || image.public || image.launchPermissions.has(account);
}
