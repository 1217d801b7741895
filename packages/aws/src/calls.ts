import type {
  CopySnapshotCommandInput,
  CreateTagsCommandInput,
  DescribeSnapshotsCommandInput,
  EC2Client,
  Snapshot,
} from '@aws-sdk/client-ec2';
import { SnapcopyError, withCallDeadline } from '@snapcopy/core';
import { timeAwsCall } from './call-report.js';
import { type Ec2ClientPool, type Ec2Sdk, loadEc2Sdk } from './client-pool.js';
import { mapAwsError } from './error-mapping.js';

/** Pages of one Describe listing we follow before refusing to go on. */
export const MAX_PAGES = 100;

/** A 200 reply that is not an EC2 reply: never read as "nothing there". */
export function notEc2Reply(operation: string, region: string): SnapcopyError {
  return new SnapcopyError(
    'PROVIDER_ERROR',
    `aws: ${operation} in ${region}: the endpoint did not answer like EC2 (the reply has no result set); check the endpoint`,
    { provider: 'aws', retryable: true, providerCode: 'MalformedReply' },
  );
}

/** Runs one request under the call's deadline and signal, handing it the signal to send with. */
export type Within = <R>(request: (abortSignal: AbortSignal) => Promise<R>) => Promise<R>;

/** One EC2 call: where it goes, what it is, and whether a lost reply leaves its effect unknown. */
export interface Ec2CallSite {
  readonly region: string;
  readonly operation: string;
  readonly mutating: boolean;
  readonly signal: AbortSignal | undefined;
}

/**
 * Sends one EC2 request with the region's client (the SDK's retries off) under the pool's
 * request deadline and the caller's signal, and maps any failure onto snapcopy's closed
 * set, naming the operation and region.
 */
export async function sendEc2<T>(
  pool: Ec2ClientPool,
  site: Ec2CallSite,
  run: (sdk: Ec2Sdk, client: EC2Client, within: Within) => Promise<T>,
): Promise<T> {
  const { region, operation, mutating, signal } = site;
  try {
    const [sdk, client] = await Promise.all([loadEc2Sdk(), pool.client(region)]);
    const timeoutMs = pool.requestTimeoutMs;
    return await run(sdk, client, (request) =>
      timeAwsCall(operation, region, () => withCallDeadline(request, { timeoutMs, signal })),
    );
  } catch (err) {
    throw mapAwsError(err, { operation, region, mutating });
  }
}

/**
 * The handful of EC2 calls the adapter makes, each one request with the SDK's retries
 * off, each failure mapped onto snapcopy's closed set with the operation and region named.
 * Every request ends within the pool's request timeout (a deadline of its own that aborts
 * the SDK's request) or as soon as the caller's signal aborts.
 */
export class Ec2Calls {
  readonly #pool: Ec2ClientPool;

  constructor(pool: Ec2ClientPool) {
    this.#pool = pool;
  }

  #send<T>(
    region: string,
    operation: string,
    mutating: boolean,
    signal: AbortSignal | undefined,
    run: (sdk: Ec2Sdk, client: EC2Client, within: Within) => Promise<T>,
  ): Promise<T> {
    return sendEc2(this.#pool, { region, operation, mutating, signal }, run);
  }

  /** Every snapshot the filters match, following `NextToken` (bounded). */
  describeSnapshots(
    region: string,
    input: DescribeSnapshotsCommandInput,
    signal?: AbortSignal,
  ): Promise<Snapshot[]> {
    return this.#send(region, 'DescribeSnapshots', false, signal, async (sdk, client, within) => {
      const out: Snapshot[] = [];
      let next: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await within((abortSignal) =>
          client.send(
            new sdk.DescribeSnapshotsCommand(next === undefined ? input : { ...input, NextToken: next }),
            { abortSignal },
          ),
        );
        // EC2 always answers with a snapshotSet (empty when nothing matches). A reply without
        // one (an empty body, a proxy's page) says nothing about which snapshots exist.
        if (res.Snapshots === undefined) throw notEc2Reply('DescribeSnapshots', region);
        out.push(...res.Snapshots);
        next = res.NextToken || undefined;
        if (next === undefined) return out;
      }
      throw new Error(`DescribeSnapshots returned more than ${MAX_PAGES} pages`);
    });
  }

  /** One page of DescribeSnapshots (`MaxResults`/`NextToken` in `input`), with the next page's token. */
  describeSnapshotsPage(
    region: string,
    input: DescribeSnapshotsCommandInput,
    signal?: AbortSignal,
  ): Promise<{ snapshots: Snapshot[]; nextToken?: string }> {
    return this.#send(region, 'DescribeSnapshots', false, signal, async (sdk, client, within) => {
      const res = await within((abortSignal) =>
        client.send(new sdk.DescribeSnapshotsCommand(input), { abortSignal }),
      );
      if (res.Snapshots === undefined) throw notEc2Reply('DescribeSnapshots', region);
      return { snapshots: res.Snapshots, ...(res.NextToken ? { nextToken: res.NextToken } : {}) };
    });
  }

  /** Adds create-volume permissions for `accounts` on one of the caller's snapshots. */
  shareSnapshot(
    region: string,
    snapshotId: string,
    accounts: readonly string[],
    signal?: AbortSignal,
  ): Promise<void> {
    return this.#send(region, 'ModifySnapshotAttribute', true, signal, async (sdk, client, within) => {
      await within((abortSignal) =>
        client.send(
          new sdk.ModifySnapshotAttributeCommand({
            SnapshotId: snapshotId,
            Attribute: 'createVolumePermission',
            CreateVolumePermission: { Add: accounts.map((UserId) => ({ UserId })) },
          }),
          { abortSignal },
        ),
      );
    });
  }

  /** Starts a copy in `region` (the destination); returns the new snapshot id. */
  copySnapshot(region: string, input: CopySnapshotCommandInput, signal?: AbortSignal): Promise<string> {
    return this.#send(region, 'CopySnapshot', true, signal, async (sdk, client, within) => {
      const res = await within((abortSignal) =>
        client.send(new sdk.CopySnapshotCommand(input), { abortSignal }),
      );
      if (!res.SnapshotId) {
        // The call may have been applied: a reply without the id is as good as a lost one.
        throw new SnapcopyError(
          'PROVIDER_ERROR',
          `aws: CopySnapshot in ${region}: the endpoint did not answer like EC2 (no snapshot id); the copy may exist`,
          { provider: 'aws', retryable: true, ambiguous: true, providerCode: 'MalformedReply' },
        );
      }
      return res.SnapshotId;
    });
  }

  createTags(region: string, input: CreateTagsCommandInput, signal?: AbortSignal): Promise<void> {
    return this.#send(region, 'CreateTags', true, signal, async (sdk, client, within) => {
      await within((abortSignal) => client.send(new sdk.CreateTagsCommand(input), { abortSignal }));
    });
  }

  deleteSnapshot(region: string, snapshotId: string, signal?: AbortSignal): Promise<void> {
    return this.#send(region, 'DeleteSnapshot', true, signal, async (sdk, client, within) => {
      await within((abortSignal) =>
        client.send(new sdk.DeleteSnapshotCommand({ SnapshotId: snapshotId }), { abortSignal }),
      );
    });
  }

  /** Whether the caller's account encrypts every new EBS volume and snapshot copy in `region`. */
  ebsEncryptionByDefault(region: string, signal?: AbortSignal): Promise<boolean> {
    return this.#send(region, 'GetEbsEncryptionByDefault', false, signal, async (sdk, client, within) => {
      const res = await within((abortSignal) =>
        client.send(new sdk.GetEbsEncryptionByDefaultCommand({}), { abortSignal }),
      );
      return res.EbsEncryptionByDefault === true;
    });
  }

  /** The caller's default EBS key in `region` (an ARN), if the service names one. */
  ebsDefaultKmsKeyId(region: string, signal?: AbortSignal): Promise<string | undefined> {
    return this.#send(region, 'GetEbsDefaultKmsKeyId', false, signal, async (sdk, client, within) => {
      const res = await within((abortSignal) =>
        client.send(new sdk.GetEbsDefaultKmsKeyIdCommand({}), { abortSignal }),
      );
      return res.KmsKeyId || undefined;
    });
  }
}
