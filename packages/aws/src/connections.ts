import type { EC2Client } from '@aws-sdk/client-ec2';
import { Ec2Calls } from './calls.js';
import { Ec2ClientPool } from './client-pool.js';
import { EbsDirectCalls } from './ebs-direct-calls.js';
import { AwsKmsCalls } from './kms-calls.js';
import type { AwsEbsCopierOptions } from './options.js';
import type { AwsPlanReaders } from './plan-facts.js';
import { AwsServiceClients } from './service-clients.js';

/** Pages of ListChangedBlocks a plan reads by default before billing a delta as an upper bound. */
export const DEFAULT_CHANGED_BLOCKS_MAX_PAGES = 100;

/**
 * What an AWS copier (snapshot or AMI) talks to, made from its options: the EC2 client pool
 * and calls, and the readers its plans share — EC2, KMS DescribeKey and the EBS direct APIs
 * (their SDKs loaded on first use), whose clients close with the EC2 ones.
 */
export class AwsConnections {
  readonly calls: Ec2Calls;
  readonly readers: AwsPlanReaders;
  readonly #pool: Ec2ClientPool;
  readonly #services: AwsServiceClients;

  constructor(options: AwsEbsCopierOptions) {
    this.#pool = new Ec2ClientPool(options);
    this.calls = new Ec2Calls(this.#pool);
    this.#services = new AwsServiceClients(this.#pool, options);
    this.readers = {
      ec2: this.calls,
      kms: new AwsKmsCalls(this.#services),
      ebs: new EbsDirectCalls(this.#services),
      changedBlocksMaxPages: Math.max(1, options.changedBlocksMaxPages ?? DEFAULT_CHANGED_BLOCKS_MAX_PAGES),
    };
  }

  /** The EC2 client for `region` (made, and the SDK loaded, on first use); its retries are off. */
  client(region: string): Promise<EC2Client> {
    return this.#pool.client(region);
  }

  /** Closes every SDK client's sockets; clients are made again on next use. */
  destroy(): void {
    this.#pool.destroy();
    this.#services.destroy();
  }
}
