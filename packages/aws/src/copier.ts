import type { EC2Client, Snapshot } from '@aws-sdk/client-ec2';
import {
  AbstractSnapshotCopier,
  type CallOptions,
  type CancelResult,
  type CopyPlan,
  type CopyStatus,
  invalidRequest,
  is,
  isSnapcopyError,
  LINEAGE_TAGS,
  type NormalizedCopyRequest,
  SnapcopyError,
  type SnapshotRef,
  tokenReuseMismatch,
} from '@snapcopy/core';
import { CANCELLED_TAG } from './cancel-tag.js';
import { AWS_EBS_CAPABILITIES } from './capabilities.js';
import { Ec2ClientPool } from './client-pool.js';
import { copySnapshotInput } from './copy-params.js';
import { Ec2Calls } from './ec2-calls.js';
import { mapAwsError } from './error-mapping.js';
import type { AwsEbsCopierOptions } from './options.js';
import { planAwsCopy } from './plan-copy.js';
import { tagRecord } from './source-snapshot.js';
import { absentStatus, snapshotStatus } from './status-mapping.js';

/** Ids per region, as a set: `status` asks it for every id of every poll round. */
class RegionIdSet {
  readonly #byRegion = new Map<string, Set<string>>();
  add(region: string, id: string): void {
    const ids = this.#byRegion.get(region);
    if (ids) ids.add(id);
    else this.#byRegion.set(region, new Set([id]));
  }
  has(region: string, id: string): boolean {
    return this.#byRegion.get(region)?.has(id) ?? false;
  }
  /** The ids of one region (empty when none). */
  of(region: string): ReadonlySet<string> {
    return this.#byRegion.get(region) ?? EMPTY;
  }
}
const EMPTY: ReadonlySet<string> = new Set();

function byStartTime(a: Snapshot, b: Snapshot): number {
  return (a.StartTime?.getTime() ?? 0) - (b.StartTime?.getTime() ?? 0);
}

/**
 * A `SnapshotCopier` over AWS EBS (`@aws-sdk/client-ec2`, loaded on first use).
 *
 * - `copy` sends CopySnapshot to the destination region's client. AWS has no idempotency
 *   token for it, so the client token travels as a tag: it is looked up before copying and
 *   again after a lost reply, and one token never yields two copies. A token already used
 *   for a copy of another source is refused (INVALID_REQUEST).
 * - `status` asks about up to 200 ids per region in one DescribeSnapshots call.
 * - `cancel` tags the copy `snapcopy:cancelled=true` and deletes it; AWS removes a
 *   pending copy only when it completes.
 */
export class AwsEbsSnapshotCopier extends AbstractSnapshotCopier {
  readonly #pool: Ec2ClientPool;
  readonly #calls: Ec2Calls;
  /** Copies this process cancelled (region + id): they read `cancelled` once gone. */
  readonly #cancelled = new RegionIdSet();
  /** Copies this process sent a tag or delete for, so a retried cancel can tell it was us. */
  readonly #cancelling = new RegionIdSet();

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

  protected override _plan(request: NormalizedCopyRequest, options: CallOptions): Promise<CopyPlan> {
    return planAwsCopy(this.#calls, request, options.signal);
  }

  /**
   * The copy made with the request's token in `region`, if any (the oldest, should there be
   * several); INVALID_REQUEST when that copy is of another source.
   */
  async #findByToken(
    region: string,
    request: NormalizedCopyRequest,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const token = request.clientToken;
    const found = await this.#calls.describeSnapshots(
      region,
      { OwnerIds: ['self'], Filters: [{ Name: `tag:${LINEAGE_TAGS.clientToken}`, Values: [token] }] },
      signal,
    );
    if (found.length > 1) {
      this.logger.warn('aws: several copies carry one client token; using the oldest', {
        region,
        snapshotIds: found.map((s) => s.SnapshotId),
      });
    }
    const oldest = [...found].sort(byStartTime)[0];
    if (oldest?.SnapshotId === undefined) return undefined;
    const mismatch = tokenReuseMismatch(
      request,
      { snapshotId: oldest.SnapshotId, region, tags: tagRecord(oldest) },
      'aws',
    );
    if (mismatch) throw mismatch;
    return oldest.SnapshotId;
  }

  protected override async _copy(
    request: NormalizedCopyRequest,
    plan: CopyPlan,
    options: CallOptions,
  ): Promise<{ snapshotId: string; reused: boolean }> {
    const region = request.destination.region;
    const token = request.clientToken;
    const earlier = await this.#findByToken(region, request, options.signal);
    if (earlier !== undefined) return { snapshotId: earlier, reused: true };
    const input = copySnapshotInput(request, plan);
    try {
      return { snapshotId: await this.#calls.copySnapshot(region, input, options.signal), reused: false };
    } catch (err) {
      const mapped = this._mapError(err);
      if (!mapped.ambiguous) throw mapped;
      this.logger.warn('aws: CopySnapshot reply lost; looking the client token up', {
        region,
        providerCode: mapped.providerCode,
      });
      const lostReply = (why: string, cause: unknown) =>
        new SnapcopyError(
          'PROVIDER_ERROR',
          `aws: CopySnapshot in ${region} may or may not have made a copy (${mapped.message}); ${why}`,
          {
            provider: 'aws',
            retryable: true,
            ambiguous: true,
            cause,
            ...(mapped.providerCode === undefined ? {} : { providerCode: mapped.providerCode }),
            ...(mapped.requestId === undefined ? {} : { requestId: mapped.requestId }),
            ...(mapped.httpStatus === undefined ? {} : { httpStatus: mapped.httpStatus }),
            details: { clientToken: token },
          },
        );
      let found: string | undefined;
      try {
        found = await this.#findByToken(region, request, options.signal);
      } catch (lookupErr) {
        if (is(lookupErr, 'INVALID_REQUEST')) throw lookupErr;
        throw lostReply('the token could not be looked up; a retry looks it up before copying', lookupErr);
      }
      if (found !== undefined) return { snapshotId: found, reused: true };
      throw lostReply('no copy carries its token yet; a retry looks it up again before copying', mapped);
    }
  }

  protected override async _status(
    region: string,
    snapshotIds: readonly string[],
    options: CallOptions,
  ): Promise<CopyStatus[]> {
    const found = await this.#calls.describeSnapshots(
      region,
      // A filter, not SnapshotIds: one unknown id in SnapshotIds fails the whole call.
      { OwnerIds: ['self'], Filters: [{ Name: 'snapshot-id', Values: [...snapshotIds] }] },
      options.signal,
    );
    const byId = new Map<string, Snapshot>();
    for (const s of found) if (s.SnapshotId !== undefined) byId.set(s.SnapshotId, s);
    const cancelled = this.#cancelled.of(region);
    return snapshotIds.map((id) => {
      const s = byId.get(id);
      const cancelledHere = cancelled.has(id);
      return s ? snapshotStatus(region, s, cancelledHere) : absentStatus(region, id, cancelledHere);
    });
  }

  protected override async _cancel(ref: SnapshotRef, options: CallOptions): Promise<CancelResult> {
    const { region, snapshotId } = ref;
    const gone = (): CancelResult => {
      if (this.#cancelling.has(region, snapshotId)) this.#cancelled.add(region, snapshotId);
      return {
        region,
        snapshotId,
        takesEffect: 'already-gone',
        message: `${snapshotId} does not exist in ${region}: nothing to cancel`,
      };
    };
    const [snapshot] = await this.#calls.describeSnapshots(
      region,
      { OwnerIds: ['self'], Filters: [{ Name: 'snapshot-id', Values: [snapshotId] }] },
      options.signal,
    );
    if (!snapshot) return gone();
    const tags = tagRecord(snapshot);
    if (tags[LINEAGE_TAGS.clientToken] === undefined) {
      // Cancel deletes: never delete a snapshot snapcopy did not make (a source, a backup).
      throw invalidRequest(
        [
          {
            path: 'snapshotId',
            message: `${snapshotId} is not a copy made by snapcopy (no ${LINEAGE_TAGS.clientToken} tag); refusing to delete it`,
          },
        ],
        'aws',
      );
    }
    this.#cancelling.add(region, snapshotId);
    try {
      if (tags[CANCELLED_TAG] !== 'true') await this.#tagCancelled(region, snapshotId, options.signal);
      await this.#calls.deleteSnapshot(region, snapshotId, options.signal);
    } catch (err) {
      if (is(err, 'NOT_FOUND')) return gone();
      throw err;
    }
    this.#cancelled.add(region, snapshotId);
    const pending = snapshot.State === 'pending';
    return {
      region,
      snapshotId,
      takesEffect: pending ? 'on-completion' : 'immediate',
      message: pending
        ? `${snapshotId} is still copying: AWS deletes it when the copy completes (it reads as cancelled meanwhile)`
        : `${snapshotId} is deleted`,
    };
  }

  /**
   * Tags the copy cancelled. A copy already carrying AWS's 50 tags cannot take one more:
   * the delete matters more than the tag, so it goes ahead without it (this process still
   * reads the copy as cancelled; another one reads it as pending until AWS removes it).
   */
  async #tagCancelled(region: string, snapshotId: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.#calls.createTags(
        region,
        { Resources: [snapshotId], Tags: [{ Key: CANCELLED_TAG, Value: 'true' }] },
        signal,
      );
    } catch (err) {
      if (!(isSnapcopyError(err) && err.providerCode === 'TagLimitExceeded')) throw err;
      this.logger.warn('aws: the copy has the maximum number of tags; deleting it without the cancel tag', {
        region,
        snapshotId,
      });
    }
  }

  protected override _mapError(err: unknown): SnapcopyError {
    return isSnapcopyError(err) ? err : mapAwsError(err);
  }
}
