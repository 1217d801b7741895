import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  AbstractSnapshotCopier,
  type CallOptions,
  type CopyPlan,
  isSnapcopyError,
  LINEAGE_TAGS,
  type NormalizedCopyRequest,
  type ObservedCopy,
  type SnapcopyError,
} from '@snapcopy/core';
import { Ec2Calls } from './calls.js';
import { AWS_EBS_CAPABILITIES } from './capabilities.js';
import { Ec2ClientPool } from './client-pool.js';
import { callerTags, copySnapshotInput } from './copy-params.js';
import { mapAwsError } from './error-mapping.js';
import type { AwsEbsCopierOptions } from './options.js';
import { decideAwsPlan } from './plan.js';
import { readAwsPlanFacts } from './plan-facts.js';
import { validateAwsSnapshotId } from './rules/index.js';
import { observedSnapshot } from './snapshot-view.js';

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

  constructor(options: AwsEbsCopierOptions = {}) {
    super('aws', AWS_EBS_CAPABILITIES, {
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    this.#pool = new Ec2ClientPool(options);
    this.#calls = new Ec2Calls(this.#pool, options.logger === undefined ? undefined : this.logger);
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
    this.#pool.destroy();
  }

  /** A copy's id named in status, wait or cancel: an EBS snapshot id. */
  protected override _validateCopyId(id: string, path: string): void {
    validateAwsSnapshotId(id, path);
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
