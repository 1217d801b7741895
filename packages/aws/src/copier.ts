import type { EC2Client } from '@aws-sdk/client-ec2';
import { type CallOptions, type CopyPlan, isSnapcopyError } from '@snapcopy/core';
import {
  AbstractSnapshotCopier,
  invalidListQuery,
  type NormalizedListQuery,
  type CopyListFilter,
  LINEAGE_TAGS,
  type NormalizedCopyRequest,
  type ObservedCopy,
  STATE_TAGS,
} from '@snapcopy/core/driver';
import { ec2CopyListInput, ec2CopyPage } from './copy-list-filters.js';
import { AWS_EBS_CAPABILITIES } from './capabilities.js';
import { callerTags, copySnapshotInput } from './copy-params.js';
import { mapAwsError } from './error-mapping.js';
import type { AwsEbsCopierOptions } from './options.js';
import { AWS_PLAN_DECIDER, decideAwsPlan } from './plan.js';
import { type AwsPlanFacts, readAwsPlanFacts } from './plan-facts.js';
import { AwsConnections } from './connections.js';
import { validateAwsSnapshotId } from './rules/index.js';
import { describeSnapshotsListInput, EC2_LIST_MIN_PAGE_SIZE } from './list-params.js';
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
 *   copy only when it completes;
 * - plans resolve and check keys with KMS DescribeKey and count an incremental copy's
 *   changed blocks with the EBS direct APIs' ListChangedBlocks (both SDKs loaded on first
 *   use); a copy made after an earlier one of its lineage tags that one
 *   `snapcopy:next-copy=<token>`, so that a later plan knows when the most recent copy
 *   was deleted.
 */
export class AwsEbsSnapshotCopier extends AbstractSnapshotCopier {
  readonly #aws: AwsConnections;

  constructor(options: AwsEbsCopierOptions = {}) {
    super('aws', AWS_EBS_CAPABILITIES, options);
    this.#aws = new AwsConnections(options);
  }

  /**
   * Escape hatch: the SDK client this copier uses for `region` (created, and the SDK
   * loaded, on first use). Its retries are off: wrap calls in your own policy.
   */
  nativeClient(region: string): Promise<EC2Client> {
    return this.#aws.client(region);
  }

  /** Closes the SDK clients' sockets. The copier can still be used; clients are made again. */
  destroy(): void {
    this.#aws.destroy();
  }

  /** A copy's id named in status, wait or cancel: an EBS snapshot id. */
  protected override _validateCopyId(id: string, path: string) {
    validateAwsSnapshotId(id, path);
  }

  /** The snapshot id's format and the caller's tags (with the name), before any call. */
  protected override _validate(request: NormalizedCopyRequest) {
    validateAwsSnapshotId(request.source.snapshotId);
    callerTags(request);
  }

  /** Every read the plans need, shared across the batch (see `readAwsPlanFacts`). */
  protected override _readPlanFacts(requests: readonly NormalizedCopyRequest[], options: CallOptions) {
    return readAwsPlanFacts(this.#aws.readers, requests, AWS_PLAN_DECIDER, options.signal);
  }

  protected override _decidePlan(request: NormalizedCopyRequest, facts: AwsPlanFacts) {
    return decideAwsPlan(request, facts);
  }

  /** Every copy carrying one of `tokens`, 200 tokens per DescribeSnapshots call (one `tag:` filter). */
  protected override async _findByTokens(region: string, tokens: readonly string[], options: CallOptions) {
    const tag = `tag:${LINEAGE_TAGS.clientToken}`;
    const found = await this.#aws.calls.describeSnapshotsWhere(region, tag, tokens, options.signal);
    return found.map((s) => observedSnapshot(region, s));
  }

  protected override async _startCopy(request: NormalizedCopyRequest, plan: CopyPlan, options: CallOptions) {
    const region = request.destination.region;
    const id = await this.#aws.calls.copySnapshot(region, copySnapshotInput(request, plan), options.signal);
    const follows = plan.lineage?.mostRecentCopyId;
    if (follows !== undefined && follows !== id)
      await this.#markNextCopy(region, follows, request.clientToken);
    return id;
  }

  /**
   * Tags the copy this one follows with this one's client token: once this copy is deleted,
   * nothing else in EC2 says it existed, and the next copy is then a full one. Best effort:
   * the copy is made either way, so a failure is logged, not thrown.
   */
  async #markNextCopy(region: string, earlier: string, token: string): Promise<void> {
    try {
      await this.#aws.calls.tagResource(region, earlier, { [STATE_TAGS.nextCopy]: token });
    } catch (err) {
      this.logger.warn(
        { region, earlier, code: isSnapcopyError(err) ? err.code : 'unknown' },
        'aws: could not tag the earlier copy with the next copy; a later plan may not see this copy deleted',
      );
    }
  }

  protected override async _describe(region: string, ids: readonly string[], options: CallOptions) {
    const found = await this.#aws.calls.describe(
      'DescribeSnapshots',
      region,
      { OwnerIds: ['self'], Filters: [{ Name: 'snapshot-id', Values: [...ids] }] },
      options.signal,
    );
    return found.map((s) => observedSnapshot(region, s));
  }

  /**
   * One page of the caller's snapshots in `region` matching the filter: `tag:KEY` filters for
   * exact values and `tag-key` for keys that must be present, 1,000 a page (DescribeSnapshots'
   * most with MaxResults).
   */
  protected override async _listCopies(
    region: string,
    filter: CopyListFilter,
    nextToken: string | undefined,
    options: CallOptions,
  ) {
    const input = { OwnerIds: ['self'], ...ec2CopyListInput(filter, nextToken) };
    const page = await this.#aws.calls.describePage('DescribeSnapshots', region, input, options.signal);
    return ec2CopyPage(page, (s) => observedSnapshot(region, s));
  }

  protected override _delete(copy: ObservedCopy, options: CallOptions) {
    return this.#aws.calls.deleteSnapshot(copy.region, copy.id, options.signal);
  }

  protected override _tagCopy(
    copy: ObservedCopy,
    tags: Readonly<Record<string, string>>,
    options: CallOptions,
  ) {
    return this.#aws.calls.tagResource(copy.region, copy.id, tags, options.signal);
  }

  protected override _absentMessage(region: string, id: string) {
    return `${id} no longer exists in ${region} (deleted, or never a snapshot of this account)`;
  }

  /** EC2 refuses `MaxResults` below 5. */
  protected override _validateList(query: NormalizedListQuery) {
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
  ) {
    const page = await this.#aws.calls.describePage(
      'DescribeSnapshots',
      query.region,
      describeSnapshotsListInput(query, cursor),
      options.signal,
    );
    const ownership = query.owner === 'self' ? 'owned' : 'shared';
    return {
      snapshots: page.items.map((s) => snapshotSummary(query.region, s, ownership)),
      ...(page.nextToken === undefined ? {} : { next: page.nextToken }),
    };
  }

  protected override _share(
    region: string,
    snapshotId: string,
    accounts: readonly string[],
    options: CallOptions,
  ) {
    return this.#aws.calls.shareSnapshot(region, snapshotId, accounts, options.signal);
  }

  protected override _keyAccess(region: string, keyId: string, options: CallOptions) {
    return this.#aws.readers.kms.keyAccess(region, keyId, options.signal);
  }

  protected override _mapError(err: unknown) {
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
