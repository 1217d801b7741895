/** ECS image statuses (DescribeImages `Status`). */
export type EcsImageStatus =
  | 'Creating'
  | 'Waiting'
  | 'Available'
  | 'UnAvailable'
  | 'CreateFailed'
  | 'Deprecated';

/** One disk of a custom image: the snapshot it is made from. */
export interface EcsDiskDeviceMapping {
  readonly device: string;
  readonly type: 'system' | 'data';
  /** The snapshot; undefined while a copy waits in the queue (its snapshot does not exist yet). */
  snapshotId?: string;
  readonly sizeGiB: number;
}

/** How one disk of an image copy is copied, decided when CopyImage was accepted. */
export interface EcsDiskCopyPlan {
  readonly sourceSnapshotId: string;
  readonly encrypted: boolean;
  /** KMS key id of an encrypted copy. */
  readonly keyId?: string;
}

/** The copy task of an image that is a copy. */
export interface EcsImageCopyTask {
  readonly sourceImageId: string;
  readonly sourceRegion: string;
  readonly queuedAt: number;
  /** When the task left the queue and its snapshot copies started. */
  startedAt?: number;
  readonly plans: readonly EcsDiskCopyPlan[];
  readonly clientToken?: string;
}

/** A custom image of the ECS simulator. */
export interface EcsImage {
  readonly id: string;
  readonly region: string;
  /** Owner account. */
  readonly account: string;
  readonly name: string;
  readonly description?: string;
  status: EcsImageStatus;
  readonly createdAt: number;
  readonly disks: EcsDiskDeviceMapping[];
  readonly tags: Map<string, string>;
  /** Accounts the image is shared with, and when. */
  readonly sharedWith: Map<string, number>;
  /** Published as a community image. */
  isPublic: boolean;
  readonly resourceGroupId?: string;
  readonly architecture: string;
  readonly osType: 'linux' | 'windows';
  readonly platform: string;
  readonly osName: string;
  readonly copy?: EcsImageCopyTask;
}

/** Whether `account` may use (and see) the image: owned, shared with it, or a community image. */
export function imageVisibleTo(image: EcsImage, account: string): boolean {
  return image.account === account || image.sharedWith.has(account) || image.isPublic;
}

/** The image is a copy still in the queue or being made. */
export const isCopying = (image: EcsImage): boolean =>
  image.copy !== undefined && (image.status === 'Waiting' || image.status === 'Creating');
