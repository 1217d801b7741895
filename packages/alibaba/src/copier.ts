import type { CallOptions, CopyPlan } from '@snapcopy/core';
import {
  AbstractSnapshotCopier,
  type CopyListFilter,
  throwIfIssues,
  LINEAGE_TAGS,
  type NormalizedCopyRequest,
  type NormalizedListQuery,
  type ObservedCopy,
} from '@snapcopy/core/driver';
import { ALIBABA_ECS_CAPABILITIES } from './capabilities.js';
import { buildCopySnapshotParams, copyCallLogFields } from './copy-params.js';
import type { EcsClient } from './ecs-sdk.js';
import { mapAlibabaError } from './error-mapping.js';
import { describeSnapshotsListFilter } from './list-params.js';
import type { AlibabaEcsCopierOptions } from './options.js';
import { listByTagValues } from './tag-listing.js';
import { decideAlibabaPlan } from './plan.js';
import { type AlibabaPlanFacts, readAlibabaPlanFacts } from './plan-facts.js';
import { AlibabaConnections } from './connections.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';
import { validateAlibabaRequestFields, validateAlibabaSnapshotId } from './rules/validation.js';
import { observedSnapshot, snapshotSummary } from './snapshot-view.js';

/**
 * Copies Alibaba Cloud ECS snapshots with `@alicloud/ecs20140526`. The copy protocol
 * (token lookups, batched status, guarded cancel) is core's; this class makes the ECS
 * calls it needs: CopySnapshot sent to the source region with `DestinationRegionId` and
 * ECS's own `ClientToken`, DescribeSnapshots (100 ids a call) for status and token
 * lookups, DeleteSnapshot for cancel (immediate: the partial copy is removed).
 *
 * Create it with {@link createAlibabaEcsCopier}.
 */
export class AlibabaEcsSnapshotCopier extends AbstractSnapshotCopier {
  readonly #ecs: AlibabaConnections;

  constructor(options: AlibabaEcsCopierOptions = {}) {
    super(ALIBABA_PROVIDER, ALIBABA_ECS_CAPABILITIES, options);
    this.#ecs = new AlibabaConnections(options);
  }

  /**
   * The `@alicloud/ecs20140526` client this copier uses for `region` (escape hatch): same
   * credentials and endpoint, SDK retries off.
   */
  nativeClient(region: string): Promise<EcsClient> {
    return this.#ecs.client(region);
  }

  /** A copy's id named in status, wait or cancel: an ECS snapshot id. */
  protected override _validateCopyId(id: string, path: string) {
    throwIfIssues(validateAlibabaSnapshotId(id, path), ALIBABA_PROVIDER);
  }

  /** ECS's own field limits (ids, name, description, tags) before any call. */
  protected override _validate(request: NormalizedCopyRequest) {
    const refused = validateAlibabaRequestFields(request);
    if (refused) throw refused;
  }

  /** Every read the plans need, shared across the batch (see `readAlibabaPlanFacts`). */
  protected override _readPlanFacts(requests: readonly NormalizedCopyRequest[], options: CallOptions) {
    return readAlibabaPlanFacts(this.#ecs.readers, requests, options.signal);
  }

  protected override _decidePlan(request: NormalizedCopyRequest, facts: AlibabaPlanFacts) {
    return decideAlibabaPlan(request, facts);
  }

  /**
   * Every copy carrying one of `tokens`: ECS's tag filters are AND-ed, so several tokens are
   * listed by the tag key alone when that takes fewer calls than asking token by token.
   */
  protected override async _findByTokens(region: string, tokens: readonly string[], options: CallOptions) {
    const byToken = await listByTagValues(
      this.#ecs.calls,
      region,
      LINEAGE_TAGS.clientToken,
      tokens,
      { maxPages: 1 },
      options.signal,
    );
    return [...byToken.values()]
      .flat()
      .filter((s) => s.snapshotId)
      .map((s) => observedSnapshot(region, s));
  }

  protected override _startCopy(request: NormalizedCopyRequest, plan: CopyPlan, options: CallOptions) {
    const params = buildCopySnapshotParams(request, plan);
    this.logger.debug(copyCallLogFields(params, { snapshotId: params.snapshotId }), 'CopySnapshot');
    return this.#ecs.calls.copySnapshot(params, options.signal);
  }

  protected override async _describe(region: string, ids: readonly string[], options: CallOptions) {
    const { snapshots } = await this.#ecs.calls.describeSnapshots(
      region,
      { snapshotIds: ids },
      options.signal,
    );
    return snapshots.filter((s) => s.snapshotId).map((s) => observedSnapshot(region, s));
  }

  /**
   * One page of the caller's snapshots in a region (DescribeSnapshots with `NextToken`), or
   * the members of one snapshot-consistent group (DescribeSnapshotGroups, then the members
   * by id: a group holds at most 16, one page).
   */
  protected override async _listPage(
    query: NormalizedListQuery,
    cursor: string | undefined,
    options: CallOptions,
  ) {
    if (query.groupId !== undefined) {
      const ids = await this.#ecs.calls.snapshotGroupMembers(query.region, query.groupId, options.signal);
      if (ids === undefined || ids.length === 0) return { snapshots: [] };
      const { snapshots } = await this.#ecs.calls.describeSnapshots(
        query.region,
        { ...describeSnapshotsListFilter(query, undefined), snapshotIds: ids },
        options.signal,
      );
      return {
        snapshots: snapshots
          .filter((s) => s.snapshotId)
          .map((s) => snapshotSummary(query.region, s, query.groupId)),
      };
    }
    const page = await this.#ecs.calls.describeSnapshots(
      query.region,
      describeSnapshotsListFilter(query, cursor),
      options.signal,
    );
    return {
      snapshots: page.snapshots.filter((s) => s.snapshotId).map((s) => snapshotSummary(query.region, s)),
      ...(page.nextToken === undefined ? {} : { next: page.nextToken }),
    };
  }

  /**
   * One page (100 snapshots) of the caller's snapshots in `region` matching the filter:
   * `Tag.N` filters, AND-ed, with a key and value for an exact tag, a key alone for a key
   * that must be present.
   */
  protected override async _listCopies(
    region: string,
    filter: CopyListFilter,
    nextToken: string | undefined,
    options: CallOptions,
  ) {
    const [tagKey, ...moreKeys] = filter.tagKeys;
    const tags = { ...filter.tags };
    // ECS takes one key-only filter per call next to key-value ones; any further key is asked
    // for with its value unknown, so it is checked on the reply instead.
    const page = await this.#ecs.calls.describeSnapshots(
      region,
      {
        ...(Object.keys(tags).length === 0 ? {} : { tags }),
        ...(tagKey === undefined ? {} : { tagKey }),
        ...(nextToken === undefined ? {} : { nextToken }),
      },
      options.signal,
    );
    const copies = page.snapshots
      .filter((s) => s.snapshotId)
      .map((s) => observedSnapshot(region, s))
      .filter((c) => moreKeys.every((k) => c.tags[k] !== undefined));
    return { copies, ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }) };
  }

  protected override _delete(copy: ObservedCopy, options: CallOptions) {
    return this.#ecs.calls.deleteSnapshot(copy.region, copy.id, options.signal);
  }

  protected override _absentMessage(region: string, id: string) {
    return `snapshot ${id} no longer exists in ${region} (deleted, released at the end of its retention period, or never made)`;
  }

  protected override _mapError(err: unknown) {
    return mapAlibabaError(err, { operation: 'call', mutating: false });
  }
}

/**
 * Creates an Alibaba Cloud ECS snapshot copier. Synchronous and cheap: the SDK is loaded
 * on the first call that needs it.
 */
export function createAlibabaEcsCopier(options: AlibabaEcsCopierOptions = {}): AlibabaEcsSnapshotCopier {
  return new AlibabaEcsSnapshotCopier(options);
}
