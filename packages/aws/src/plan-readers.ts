import type { Ec2Calls } from './calls.js';
import type { Ec2ClientPool } from './client-pool.js';
import { EbsDirectCalls } from './ebs-direct-calls.js';
import { AwsKmsCalls } from './kms-calls.js';
import type { AwsEbsCopierOptions } from './options.js';
import type { AwsPlanReaders } from './plan-facts.js';
import { AwsServiceClients } from './service-clients.js';

/** Pages of ListChangedBlocks a plan reads by default before billing a delta as an upper bound. */
export const DEFAULT_CHANGED_BLOCKS_MAX_PAGES = 100;

/**
 * The readers snapshot and AMI plans share: EC2, KMS DescribeKey and the EBS direct APIs
 * (their SDKs loaded on first use), with the KMS and EBS clients to close with the copier.
 */
export function createAwsPlanReaders(
  pool: Ec2ClientPool,
  ec2: Ec2Calls,
  options: AwsEbsCopierOptions,
): { readonly readers: AwsPlanReaders; readonly services: AwsServiceClients } {
  const services = new AwsServiceClients(pool, options);
  return {
    services,
    readers: {
      ec2,
      kms: new AwsKmsCalls(services),
      ebs: new EbsDirectCalls(services),
      changedBlocksMaxPages: Math.max(1, options.changedBlocksMaxPages ?? DEFAULT_CHANGED_BLOCKS_MAX_PAGES),
    },
  };
}
