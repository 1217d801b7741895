import { AwsEbsSnapshotCopier } from './copier.js';
import type { AwsEbsCopierOptions } from './options.js';

/**
 * Creates an AWS EBS copier. Synchronous and cheap: the AWS SDK is loaded, and each
 * region's client created, only when a call first needs them.
 */
export function createAwsEbsCopier(options: AwsEbsCopierOptions = {}): AwsEbsSnapshotCopier {
  return new AwsEbsSnapshotCopier(options);
}
