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
  registerSecret,
  SnapcopyError,
  type SnapshotRef,
  tokenReuseMismatch,
} from '@snapcopy/core';
import { ALIBABA_ECS_CAPABILITIES } from './capabilities.js';
import { EcsClientPool } from './client-pool.js';
import { buildCopySnapshotParams } from './copy-params.js';
import { buildAlibabaPlan, checkSourceAndEncryption } from './copy-plan.js';
import type { EcsClient } from './ecs-sdk.js';
import { type EcsOperation, mapAlibabaError } from './error-mapping.js';
import type { AlibabaEcsCopierOptions } from './options.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';
import { validateAlibabaRequestFields } from './rules/validation.js';
import { absentStatus, type EcsSnapshot, snapshotTags, toCopyStatus } from './snapshot-view.js';

/** DescribeSnapshots takes at most 100 ids and returns at most 100 per page. */
const PAGE = 100;
/** Client tokens remembered for the retry lookup; the oldest are forgotten first. */
const MAX_REMEMBERED = 10_000;

const key = (region: string, id: string) => `${region}\u0000${id}`;

function remember(set: Set<string>, value: string): void {
  set.delete(value);
  set.add(value);
  if (set.size > MAX_REMEMBERED) set.delete(set.values().next().value as string);
}

/**
 * Copies Alibaba Cloud ECS snapshots with `@alicloud/ecs20140526`: CopySnapshot sent to
 * the source region with `DestinationRegionId`, progress by DescribeSnapshots (100 ids a
 * call), cancel by DeleteSnapshot (immediate: the partial copy is removed) of copies that
 * carry snapcopy's client-token tag only.
 *
 * Create it with {@link createAlibabaEcsCopier}.
 */
export class AlibabaEcsSnapshotCopier extends AbstractSnapshotCopier {
  readonly #pool: EcsClientPool;
  readonly #maxLineagePages: number;
  /** Copies this copier deleted: absent from then on, they read `cancelled`. */
  readonly #cancelled = new Set<string>();
  /** Copies this copier made, by token and request: a repeat returns the same copy without a call. */
  readonly #made = new Map<string, string>();
  /** Deletes that may have been applied without a reply: a NotFound on retry means one worked. */
  readonly #deleting = new Set<string>();

  constructor(options: AlibabaEcsCopierOptions = {}) {
    super(ALIBABA_PROVIDER, ALIBABA_ECS_CAPABILITIES, {
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    const creds = options.credentials as { accessKeySecret?: unknown; securityToken?: unknown } | undefined;
    if (typeof creds?.accessKeySecret === 'string') registerSecret(creds.accessKeySecret);
    if (typeof creds?.securityToken === 'string') registerSecret(creds.securityToken);
    this.#pool = new EcsClientPool(options);
    this.#maxLineagePages = Math.max(1, options.lineageLookupMaxPages ?? 10);
  }

  /**
   * The `@alicloud/ecs20140526` client this copier uses for `region` (escape hatch): same
   * credentials and endpoint, SDK retries off.
   */
  nativeClient(region: string): Promise<EcsClient> {
    return this.#pool.client(region);
  }

  /** Adds ECS's own field limits (ids, name, description, tags, retention) to core's checks. */
  protected override normalize(input: unknown): NormalizedCopyRequest {
    const req = super.normalize(input);
    const refused = validateAlibabaRequestFields(req);
    if (refused) throw refused;
    return req;
  }

  protected override _mapError(err: unknown): SnapcopyError {
    return mapAlibabaError(err, { operation: 'call', mutating: false });
  }

  async #call<T>(
    operation: EcsOperation,
    mutating: boolean,
    options: CallOptions,
    fn: () => Promise<T>,
  ): Promise<T> {
    if (options.signal?.aborted) {
      throw new SnapcopyError('CANCELLED', `alibaba ECS ${operation} not sent: the call was aborted`, {
        provider: ALIBABA_PROVIDER,
      });
    }
    try {
      return await fn();
    } catch (err) {
      throw mapAlibabaError(err, { operation, mutating });
    }
  }

  async #describe(
    region: string,
    fields: Record<string, unknown>,
    options: CallOptions,
  ): Promise<{ snapshots: EcsSnapshot[]; nextToken?: string }> {
    const client = await this.#pool.client(region);
    const models = await this.#pool.models();
    const request = new models.DescribeSnapshotsRequest({ regionId: region, maxResults: PAGE, ...fields });
    const res = await this.#call('DescribeSnapshots', false, options, () =>
      client.describeSnapshotsWithOptions(request, this.#pool.runtime),
    );
    const next = res.body?.nextToken;
    return { snapshots: res.body?.snapshots?.snapshot ?? [], ...(next ? { nextToken: next } : {}) };
  }

  async #tagFilter(tagKey: string, value: string) {
    const models = await this.#pool.models();
    return [new models.DescribeSnapshotsRequestTag({ key: tagKey, value })];
  }

  /** Earlier finished copies of a disk's lineage in `region`, found by snapcopy's lineage tag. */
  async #lineageCopies(region: string, diskId: string, options: CallOptions): Promise<EcsSnapshot[]> {
    const tag = await this.#tagFilter(LINEAGE_TAGS.sourceVolume, diskId);
    const out: EcsSnapshot[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < this.#maxLineagePages; page++) {
      const res = await this.#describe(
        region,
        { status: 'accomplished', tag, ...(nextToken ? { nextToken } : {}) },
        options,
      );
      out.push(...res.snapshots);
      nextToken = res.nextToken;
      if (!nextToken) break;
    }
    return out;
  }

  protected override async _plan(req: NormalizedCopyRequest, options: CallOptions): Promise<CopyPlan> {
    const { snapshots } = await this.#describe(
      req.source.region,
      { snapshotIds: JSON.stringify([req.source.snapshotId]) },
      options,
    );
    const source = snapshots.find((s) => s.snapshotId === req.source.snapshotId);
    if (!source) {
      throw new SnapcopyError(
        'NOT_FOUND',
        `snapshot ${req.source.snapshotId} was not found in ${req.source.region}`,
        { provider: ALIBABA_PROVIDER, providerCode: 'InvalidSnapshotId.NotFound' },
      );
    }
    // Refuse before reading the destination: the lineage does not change the answer.
    const enc = checkSourceAndEncryption(req, source);
    const earlier = source.sourceDiskId
      ? await this.#lineageCopies(req.destination.region, source.sourceDiskId, options)
      : [];
    return buildAlibabaPlan(req, source, earlier, enc);
  }

  /**
   * The copy carrying the request's client token in the destination, if any (the oldest);
   * INVALID_REQUEST when that copy is of another source.
   */
  async #findByToken(req: NormalizedCopyRequest, options: CallOptions): Promise<string | undefined> {
    const region = req.destination.region;
    const tag = await this.#tagFilter(LINEAGE_TAGS.clientToken, req.clientToken);
    const { snapshots } = await this.#describe(region, { tag }, options);
    const found = snapshots
      .filter((s) => s.snapshotId)
      .sort((a, b) => (a.creationTime ?? '').localeCompare(b.creationTime ?? ''))[0];
    if (!found?.snapshotId) return undefined;
    const mismatch = tokenReuseMismatch(
      req,
      { snapshotId: found.snapshotId, region, tags: snapshotTags(found) },
      ALIBABA_PROVIDER,
    );
    if (mismatch) throw mismatch;
    return found.snapshotId;
  }

  protected override async _copy(
    req: NormalizedCopyRequest,
    plan: CopyPlan,
    options: CallOptions,
  ): Promise<{ snapshotId: string; reused: boolean }> {
    const token = req.clientToken;
    const madeKey = `${token}\u0000${req.source.region}\u0000${req.source.snapshotId}\u0000${req.destination.region}`;
    const known = this.#made.get(madeKey);
    if (known !== undefined) return { snapshotId: known, reused: true };
    // Look for the token's copy before asking: an earlier attempt (here, after a lost reply,
    // or in another process) may have made it, and a copy of another source means the token
    // is reused, which ECS would answer with that other copy or IdempotentParameterMismatch.
    // The same ClientToken below still protects against a lookup that cannot see it yet.
    const made = await this.#findByToken(req, options);
    if (made !== undefined) {
      this.#remember(madeKey, made);
      return { snapshotId: made, reused: true };
    }
    const params = buildCopySnapshotParams(req, plan);
    const client = await this.#pool.client(req.source.region);
    const models = await this.#pool.models();
    const request = new models.CopySnapshotRequest({
      ...params,
      tag: params.tag.map((t) => new models.CopySnapshotRequestTag(t)),
    });
    this.logger.debug('CopySnapshot', {
      regionId: params.regionId,
      destinationRegionId: params.destinationRegionId,
      snapshotId: params.snapshotId,
      encrypted: params.encrypted ?? false,
      clientToken: token,
    });
    const res = await this.#call('CopySnapshot', true, options, () =>
      client.copySnapshotWithOptions(request, this.#pool.runtime),
    );
    const id = res.body?.snapshotId;
    if (!id) {
      throw new SnapcopyError('PROVIDER_ERROR', 'alibaba ECS CopySnapshot replied without a SnapshotId', {
        provider: ALIBABA_PROVIDER,
        ...(res.body?.requestId ? { requestId: res.body.requestId } : {}),
      });
    }
    this.#remember(madeKey, id);
    return { snapshotId: id, reused: false };
  }

  #remember(madeKey: string, snapshotId: string): void {
    this.#made.delete(madeKey);
    this.#made.set(madeKey, snapshotId);
    if (this.#made.size > MAX_REMEMBERED) this.#made.delete(this.#made.keys().next().value as string);
  }

  protected override async _status(
    region: string,
    snapshotIds: readonly string[],
    options: CallOptions,
  ): Promise<CopyStatus[]> {
    const { snapshots } = await this.#describe(region, { snapshotIds: JSON.stringify(snapshotIds) }, options);
    const byId = new Map<string, EcsSnapshot>();
    for (const s of snapshots) if (s.snapshotId) byId.set(s.snapshotId, s);
    return snapshotIds.map((id) => {
      const s = byId.get(id);
      return s ? toCopyStatus(region, s) : absentStatus(region, id, this.#cancelled.has(key(region, id)));
    });
  }

  protected override async _cancel(ref: SnapshotRef, options: CallOptions): Promise<CancelResult> {
    const id = key(ref.region, ref.snapshotId);
    const retried = this.#deleting.has(id);
    const gone = (): CancelResult => {
      this.#deleting.delete(id);
      // Gone after a delete of ours that lost its reply: that delete worked.
      return retried ? this.#deleted(ref) : alreadyGone(ref);
    };
    const { snapshots } = await this.#describe(
      ref.region,
      { snapshotIds: JSON.stringify([ref.snapshotId]) },
      options,
    );
    const snapshot = snapshots.find((s) => s.snapshotId === ref.snapshotId);
    if (!snapshot) return gone();
    if (snapshotTags(snapshot)[LINEAGE_TAGS.clientToken] === undefined) {
      // Cancel deletes: never delete a snapshot snapcopy did not make (a source, a backup).
      throw invalidRequest(
        [
          {
            path: 'snapshotId',
            message: `${ref.snapshotId} is not a copy made by snapcopy (no ${LINEAGE_TAGS.clientToken} tag); refusing to delete it`,
          },
        ],
        ALIBABA_PROVIDER,
      );
    }
    const client = await this.#pool.client(ref.region);
    const models = await this.#pool.models();
    const request = new models.DeleteSnapshotRequest({ snapshotId: ref.snapshotId, force: false });
    remember(this.#deleting, id);
    try {
      await this.#call('DeleteSnapshot', true, options, () =>
        client.deleteSnapshotWithOptions(request, this.#pool.runtime),
      );
    } catch (err) {
      if (is(err, 'NOT_FOUND') && err.providerCode === 'InvalidSnapshotId.NotFound') return gone();
      // Only a delete that may have been applied (this one or an earlier) explains a later
      // absence as ours.
      if (!retried && !(isSnapcopyError(err) && err.ambiguous)) this.#deleting.delete(id);
      throw err;
    }
    this.#deleting.delete(id);
    return this.#deleted(ref);
  }

  #deleted(ref: SnapshotRef): CancelResult {
    remember(this.#cancelled, key(ref.region, ref.snapshotId));
    return {
      region: ref.region,
      snapshotId: ref.snapshotId,
      takesEffect: 'immediate',
      message: `deleted ${ref.snapshotId}: ECS stops a copy in progress at once and removes its partial data`,
    };
  }
}

function alreadyGone(ref: SnapshotRef): CancelResult {
  return {
    region: ref.region,
    snapshotId: ref.snapshotId,
    takesEffect: 'already-gone',
    message: `snapshot ${ref.snapshotId} does not exist in ${ref.region}; nothing to cancel`,
  };
}

/**
 * Creates an Alibaba Cloud ECS snapshot copier. Synchronous and cheap: the SDK is loaded
 * on the first call that needs it.
 */
export function createAlibabaEcsCopier(options: AlibabaEcsCopierOptions = {}): AlibabaEcsSnapshotCopier {
  return new AlibabaEcsSnapshotCopier(options);
}
