import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  AbstractSnapshotCopier,
  type CallOptions,
  type CopyPlan,
  invalidListQuery,
  isSnapcopyError,
  type KeyAccess,
  LINEAGE_TAGS,
  type NormalizedCopyRequest,
  type NormalizedListQuery,
  type ObservedCopy,
  type ProviderListPage,
  type SnapcopyError,
} from '@snapcopy/core';
import { Ec2Calls } from './calls.js';
import { AWS_EBS_CAPABILITIES } from './capabilities.js';
import { Ec2ClientPool } from './client-pool.js';
import { callerTags, copySnapshotInput } from './copy-params.js';
import { mapAwsError } from './error-mapping.js';
import { KmsCalls } from './kms-calls.js';
import { describeSnapshotsListInput, EC2_LIST_MIN_PAGE_SIZE } from './list-params.js';
import type { AwsEbsCopierOptions } from './options.js';
import { decideAwsPlan } from './plan.js';
import { readAwsPlanFacts } from './plan-facts.js';
import { validateAwsSnapshotId } from './rules/index.js';
import { observedSnapshot, snapshotSummary } from './snapshot-view.js';

/**
 * A `SnapshotCopier` over AWS EBS (`@aws-sdk/client-ec2`, loaded on first use). The copy
 * protocol (token lookups, duplicate convergence, batched status, guarded cancel) is
 * core's; this class makes the EC2 calls it needs:
 *
 * - copies go to the destination region's client (CopySnapshot has no idempotency token:
 *   the client token travels as a tag, found with a `tag:` filter);
 * - status asks about up to 200 ids per region in one DescribeSnapshots call (a
 *   `snapshot-id` filter: one unknown id in `SnapshotIds` would fail the whole call);
 * - cancel tags the copy `snapcopy:cancelled=true` and deletes it; AWS removes a pending
 *   copy only when it completes.
 */
export class AwsEbsSnapshotCopier extends AbstractSnapshotCopier {
  readonly #pool: Ec2ClientPool;
  readonly #calls: Ec2Calls;
  readonly #kms: KmsCalls;

  constructor(options: AwsEbsCopierOptions = {}) {
    super('aws', AWS_EBS_CAPABILITIES, {
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    this.#pool = new Ec2ClientPool(options);
    this.#calls = new Ec2Calls(this.#pool, options.logger === undefined ? undefined : this.logger);
    this.#kms = new KmsCalls(this.#pool, options);
  }

  /**
   * Escape hatch: the SDK client this copier uses for `region` (created, and the SDK
   * loaded, on first use). Its retries are off: wrap calls in your own policy.
   */
  nativeClient(region: string): Promise<EC2Client> {
    return this.#pool.client(region);
  }

  /** Closes the SDK clients' sockets. The copier can still be used; clients are made again. */
  destroy(): void {
    this.#kms.destroy();
    this.#pool.destroy();
  }

  /** The snapshot id's format and the caller's tags (with the name), before any call. */
  protected override _validate(request: NormalizedCopyRequest): void {
    validateAwsSnapshotId(request.source.snapshotId);
    callerTags(request);
  }

  protected override async _plan(request: NormalizedCopyRequest, options: CallOptions): Promise<CopyPlan> {
    return decideAwsPlan(request, await readAwsPlanFacts(this.#calls, request, options.signal));
  }

  protected override async _findByToken(
    region: string,
    token: string,
    options: CallOptions,
  ): Promise<ObservedCopy[]> {
    const found = await this.#calls.describeSnapshots(
      region,
      { OwnerIds: ['self'], Filters: [{ Name: `tag:${LINEAGE_TAGS.clientToken}`, Values: [token] }] },
      options.signal,
    );
    return found.map((s) => observedSnapshot(region, s));
  }

  protected override _startCopy(
    request: NormalizedCopyRequest,
    plan: CopyPlan,
    options: CallOptions,
  ): Promise<string> {
    return this.#calls.copySnapshot(
      request.destination.region,
      copySnapshotInput(request, plan),
      options.signal,
    );
  }

  protected override async _describe(
    region: string,
    ids: readonly string[],
    options: CallOptions,
  ): Promise<ObservedCopy[]> {
    const found = await this.#calls.describeSnapshots(
      region,
      { OwnerIds: ['self'], Filters: [{ Name: 'snapshot-id', Values: [...ids] }] },
      options.signal,
    );
    return found.map((s) => observedSnapshot(region, s));
  }

  protected override _delete(copy: ObservedCopy, options: CallOptions): Promise<void> {
    return this.#calls.deleteSnapshot(copy.region, copy.id, options.signal);
  }

  protected override _tagCopy(
    copy: ObservedCopy,
    tags: Readonly<Record<string, string>>,
    options: CallOptions,
  ): Promise<void> {
    return this.#calls.createTags(
      copy.region,
      { Resources: [copy.id], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      options.signal,
    );
  }

  /** EC2 refuses `MaxResults` below 5. */
  protected override _validateList(query: NormalizedListQuery): void {
    if (query.pageSize < EC2_LIST_MIN_PAGE_SIZE) {
      throw invalidListQuery(
        [
          {
            path: 'pageSize',
            message: `at least ${EC2_LIST_MIN_PAGE_SIZE} on aws (DescribeSnapshots MaxResults)`,
          },
        ],
        'aws',
      );
    }
  }

  protected override async _listPage(
    query: NormalizedListQuery,
    cursor: string | undefined,
    options: CallOptions,
  ): Promise<ProviderListPage> {
    const page = await this.#calls.describeSnapshotsPage(
      query.region,
      describeSnapshotsListInput(query, cursor),
      options.signal,
    );
    const ownership = query.owner === 'self' ? 'owned' : 'shared';
    return {
      snapshots: page.snapshots.map((s) => snapshotSummary(query.region, s, ownership)),
      ...(page.nextToken === undefined ? {} : { next: page.nextToken }),
    };
  }

  protected override _share(
    region: string,
    snapshotId: string,
    accounts: readonly string[],
    options: CallOptions,
  ): Promise<void> {
    return this.#calls.shareSnapshot(region, snapshotId, accounts, options.signal);
  }

  protected override _keyAccess(region: string, keyId: string, options: CallOptions): Promise<KeyAccess> {
    return this.#kms.keyAccess(region, keyId, options.signal);
  }

  protected override _absentMessage(region: string, id: string): string {
    return `${id} no longer exists in ${region} (deleted, or never a snapshot of this account)`;
  }

  protected override _mapError(err: unknown): SnapcopyError {
    return isSnapcopyError(err) ? err : mapAwsError(err);
  }
}

/**
 * Creates an AWS EBS copier. Synchronous and cheap: the AWS SDK is loaded, and each
 * region's client created, only when a call first needs them.
 */
export function createAwsEbsCopier(options: AwsEbsCopierOptions = {}): AwsEbsSnapshotCopier {
  return new AwsEbsSnapshotCopier(options);
}
