import type {
  CopyImageCommandInput,
  CopySnapshotCommandInput,
  DescribeImagesCommandInput,
  DescribeSnapshotsCommandInput,
  EC2Client,
  Image,
  Snapshot,
} from '@aws-sdk/client-ec2';
import { SnapcopyError } from '@snapcopy/core';
import { chunk, readByRegion, withCallDeadline } from '@snapcopy/core/driver';
import { timeAwsCall } from './call-report.js';
import { type Ec2ClientPool, type Ec2Sdk, loadEc2Sdk } from './client-pool.js';
import { mapAwsError } from './error-mapping.js';

/** Pages of one Describe listing we follow before refusing to go on. */
const MAX_PAGES = 100;

/** DescribeSnapshots and DescribeImages take up to 200 values in one filter. */
export const AWS_FILTER_VALUES = 200;

/** A 200 reply that is not an EC2 reply: never read as "nothing there". */
function notEc2Reply(operation: string, region: string): SnapcopyError {
  return new SnapcopyError(
    'PROVIDER_ERROR',
    `aws: ${operation} in ${region}: the endpoint did not answer like EC2 (the reply has no result set); check the endpoint`,
    { provider: 'aws', retryable: true, providerCode: 'MalformedReply' },
  );
}

/** Runs one request under the call's deadline and signal, handing it the signal to send with. */
type Within = <R>(request: (abortSignal: AbortSignal) => Promise<R>) => Promise<R>;

/** One EC2 call: where it goes, what it is, and whether a lost reply leaves its effect unknown. */
interface Ec2CallSite {
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
async function sendEc2<T>(
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

/** The EC2 Describe calls the adapters make: what each takes, and the items it returns. */
interface Ec2Describes {
  readonly DescribeSnapshots: { readonly input: DescribeSnapshotsCommandInput; readonly item: Snapshot };
  readonly DescribeImages: { readonly input: DescribeImagesCommandInput; readonly item: Image };
}
type DescribeOperation = keyof Ec2Describes;

/** One page of an EC2 Describe call: its items (`undefined` when the reply has no result set) and the next page's token. */
type DescribeRequest<O extends DescribeOperation> = (
  sdk: Ec2Sdk,
  client: EC2Client,
  input: Ec2Describes[O]['input'],
  abortSignal: AbortSignal,
) => Promise<{
  readonly items: Ec2Describes[O]['item'][] | undefined;
  readonly next: string | undefined;
  /** The SDK's `$metadata`, which the call report reads (HTTP status, request id). */
  readonly $metadata: unknown;
}>;

const DESCRIBE_REQUESTS: { readonly [O in DescribeOperation]: DescribeRequest<O> } = {
  DescribeSnapshots: async (sdk, client, input, abortSignal) => {
    const res = await client.send(new sdk.DescribeSnapshotsCommand(input), { abortSignal });
    return { items: res.Snapshots, next: res.NextToken, $metadata: res.$metadata };
  },
  DescribeImages: async (sdk, client, input, abortSignal) => {
    const res = await client.send(new sdk.DescribeImagesCommand(input), { abortSignal });
    return { items: res.Images, next: res.NextToken, $metadata: res.$metadata };
  },
};

/**
 * The handful of EC2 calls the adapters make (snapshots, AMIs, tags, account settings), each
 * one request with the SDK's retries off, each failure mapped onto snapcopy's closed set with
 * the operation and region named. Every request ends within the pool's request timeout (a
 * deadline of its own that aborts the SDK's request) or as soon as the caller's signal aborts.
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

  /**
   * One Describe call (`DescribeSnapshots`, `DescribeImages`): every item it matches,
   * following `NextToken` (at most 100 pages; never with ids in `SnapshotIds`/`ImageIds`),
   * or with `onePage` the page that `MaxResults`/`NextToken` in `input` ask for, with the next
   * page's token. EC2 always answers with a result set (empty when nothing matches): a reply
   * without one (an empty body, a proxy's page) says nothing about what exists, and is refused.
   */
  describePage<O extends DescribeOperation>(
    operation: O,
    region: string,
    input: Ec2Describes[O]['input'],
    signal?: AbortSignal,
    onePage = true,
  ): Promise<{ items: Ec2Describes[O]['item'][]; nextToken?: string }> {
    const request = DESCRIBE_REQUESTS[operation] as DescribeRequest<O>;
    return this.#send(region, operation, false, signal, async (sdk, client, within) => {
      const items: Ec2Describes[O]['item'][] = [];
      let next: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const asked = next === undefined ? input : { ...input, NextToken: next };
        const res = await within((abortSignal) => request(sdk, client, asked, abortSignal));
        if (res.items === undefined) throw notEc2Reply(operation, region);
        items.push(...res.items);
        next = res.next || undefined;
        if (onePage) return { items, ...(next === undefined ? {} : { nextToken: next }) };
        if (next === undefined) return { items };
      }
      throw new Error(`${operation} returned more than ${MAX_PAGES} pages`);
    });
  }

  /** Every item a Describe call matches, following `NextToken` (see {@link describePage}). */
  async describe<O extends DescribeOperation>(
    operation: O,
    region: string,
    input: Ec2Describes[O]['input'],
    signal?: AbortSignal,
  ): Promise<Ec2Describes[O]['item'][]> {
    return (await this.describePage(operation, region, input, signal, false)).items;
  }

  /**
   * The snapshots in `region` matching any of `values` of one filter (`tag:KEY`): 200 values
   * a call, the calls at once, among the caller's own.
   */
  async describeSnapshotsWhere(
    region: string,
    filter: string,
    values: readonly string[],
    signal?: AbortSignal,
  ): Promise<Snapshot[]> {
    const pages = await Promise.all(
      chunk([...new Set(values)], AWS_FILTER_VALUES).map((Values) =>
        this.describe(
          'DescribeSnapshots',
          region,
          { OwnerIds: ['self'], Filters: [{ Name: filter, Values }] },
          signal,
        ),
      ),
    );
    return pages.flat();
  }

  /**
   * The snapshots `refs` name, by region then id: the caller's own, or with `owner: 'any'`
   * all those it may copy; 200 ids a call (one `snapshot-id` filter, so that an unknown id
   * is left out instead of failing the call), the calls at once.
   */
  snapshotsById(
    refs: readonly { readonly region: string; readonly id: string }[],
    owner: 'self' | 'any',
    signal?: AbortSignal,
  ): Promise<Map<string, Map<string, Snapshot>>> {
    return readByRegion(refs, AWS_FILTER_VALUES, async (region, Values) => {
      const filters = { Filters: [{ Name: 'snapshot-id', Values }] };
      const input = owner === 'self' ? { OwnerIds: ['self'], ...filters } : filters;
      const found = await this.describe('DescribeSnapshots', region, input, signal);
      return found.flatMap((s) => (s.SnapshotId === undefined ? [] : [[s.SnapshotId, s] as const]));
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

  /**
   * Sends a copy call to `region` (the destination) and returns the new id. A reply without
   * one is as good as a lost one: the call may have been applied.
   */
  #startCopy<R>(
    region: string,
    operation: 'CopySnapshot' | 'CopyImage',
    signal: AbortSignal | undefined,
    send: (sdk: Ec2Sdk, client: EC2Client, abortSignal: AbortSignal) => Promise<R>,
    idOf: (reply: R) => string | undefined,
  ): Promise<string> {
    return this.#send(region, operation, true, signal, async (sdk, client, within) => {
      const id = idOf(await within((abortSignal) => send(sdk, client, abortSignal)));
      if (!id) {
        const what = operation === 'CopySnapshot' ? 'snapshot' : 'image';
        throw new SnapcopyError(
          'PROVIDER_ERROR',
          `aws: ${operation} in ${region}: the endpoint did not answer like EC2 (no ${what} id); the copy may exist`,
          { provider: 'aws', retryable: true, ambiguous: true, providerCode: 'MalformedReply' },
        );
      }
      return id;
    });
  }

  /** Starts a snapshot copy in `region` (the destination); returns the new snapshot id. */
  copySnapshot(region: string, input: CopySnapshotCommandInput, signal?: AbortSignal): Promise<string> {
    return this.#startCopy(
      region,
      'CopySnapshot',
      signal,
      (sdk, client, abortSignal) => client.send(new sdk.CopySnapshotCommand(input), { abortSignal }),
      (reply) => reply.SnapshotId,
    );
  }

  /** Starts an AMI copy in `region` (the destination); returns the new AMI id. */
  copyImage(region: string, input: CopyImageCommandInput, signal?: AbortSignal): Promise<string> {
    return this.#startCopy(
      region,
      'CopyImage',
      signal,
      (sdk, client, abortSignal) => client.send(new sdk.CopyImageCommand(input), { abortSignal }),
      (reply) => reply.ImageId,
    );
  }

  /** Adds `tags` to one resource (a snapshot, an AMI). */
  tagResource(
    region: string,
    resourceId: string,
    tags: Readonly<Record<string, string>>,
    signal?: AbortSignal,
  ): Promise<void> {
    return this.#send(region, 'CreateTags', true, signal, async (sdk, client, within) => {
      const input = {
        Resources: [resourceId],
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      };
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

  /**
   * Deregisters an AMI; with `deleteSnapshots`, its snapshots too (EC2 deletes finished ones
   * at once and snapshot copies still in progress when they complete).
   */
  deregisterImage(
    region: string,
    imageId: string,
    deleteSnapshots: boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    return this.#send(region, 'DeregisterImage', true, signal, async (sdk, client, within) => {
      const input = { ImageId: imageId, ...(deleteSnapshots ? { DeleteAssociatedSnapshots: true } : {}) };
      await within((abortSignal) => client.send(new sdk.DeregisterImageCommand(input), { abortSignal }));
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
