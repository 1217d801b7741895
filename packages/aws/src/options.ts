import type { CancelLedger, Clock, Logger, RetryPolicy } from '@snapcopy/core';

/** Static AWS credentials (an access key, optionally with a session token). */
export interface AwsStaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A function that yields credentials, as the AWS SDK's credential providers do. */
export type AwsCredentialProvider = () => Promise<AwsStaticCredentials>;

/** Options of {@link createAwsEbsCopier}. Everything is optional. */
export interface AwsEbsCopierOptions {
  /**
   * Credentials for every region. Without them the AWS SDK's default provider chain is used
   * (environment variables `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, shared config files,
   * SSO, container and instance roles).
   */
  readonly credentials?: AwsStaticCredentials | AwsCredentialProvider;
  /**
   * A profile of the shared config and credentials files (`~/.aws/config`,
   * `~/.aws/credentials`, or `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`), read by the
   * AWS SDK itself, as `aws --profile NAME` does: its credentials (keys, SSO, roles,
   * processes) when `credentials` is not given. Default: `AWS_PROFILE`, else `default`.
   */
  readonly profile?: string;
  /** Where cancels are recorded, so another process sharing it reads them as `cancelled`. */
  readonly cancelLedger?: CancelLedger;
  /**
   * One endpoint for every region, e.g. `http://127.0.0.1:4566` for the snapcopy sandbox
   * (which serves EC2, KMS and the EBS direct APIs on one port). Default: the region's
   * public EC2 endpoint. KMS and the EBS direct APIs use it too unless `kmsEndpoint` /
   * `ebsEndpoint` say otherwise.
   */
  readonly endpoint?: string;
  /** Endpoint of AWS KMS for every region. Default: `endpoint`, else the region's public KMS endpoint. */
  readonly kmsEndpoint?: string;
  /** Endpoint of the EBS direct APIs for every region. Default: `endpoint`, else the region's public one. */
  readonly ebsEndpoint?: string;
  /**
   * Pages of ListChangedBlocks (10,000 blocks, 4.9 GiB each) a plan reads to measure one
   * incremental copy before it gives up and bills the full size as an upper bound. Default 100.
   */
  readonly changedBlocksMaxPages?: number;
  /** Drives `wait` and core's retry backoff. Default: the system clock. */
  readonly clock?: Clock;
  /** Core's retry policy: the only retries, since the SDK's own are switched off. */
  readonly retry?: RetryPolicy;
  /**
   * Receives log lines (pino's or the console's shape), with secrets removed: at `debug`,
   * one per provider call with its operation, region, HTTP status, request id and duration.
   */
  readonly logger?: Logger;
  /** Abandons one HTTP request after this many ms (a timeout is retried like a lost reply). Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Gives up connecting after this many ms. Default 5 s. */
  readonly connectionTimeoutMs?: number;
  /** Use the FIPS endpoints of each region (ignored when `endpoint` is set). */
  readonly useFipsEndpoint?: boolean;
}
