import { isSnapcopyError, SnapcopyError } from '@snapcopy/core';
import { withCallDeadline } from '@snapcopy/core/driver';
import { timeAlibabaCall } from './call-report.js';
import type { EcsClientPool } from './client-pool.js';
import type { EcsClient, EcsModels } from './ecs-sdk.js';
import type { CopySnapshotParams } from './copy-params.js';
import { type EcsOperation, mapAlibabaError } from './error-mapping.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';
import type { EcsSnapshot } from './snapshot-view.js';

/** DescribeSnapshots takes at most 100 ids and returns at most 100 per page. */
export const ECS_PAGE_SIZE = 100;

/** One page of DescribeSnapshots. */
export interface EcsSnapshotPage {
  readonly snapshots: EcsSnapshot[];
  readonly nextToken?: string;
  /** How many snapshots match in all, when ECS says. */
  readonly totalCount?: number;
}

/** The filters of DescribeSnapshots the adapter uses, in the SDK's field names. */
export interface EcsSnapshotFilter {
  /** Up to 100 ids (sent as a JSON array). */
  readonly snapshotIds?: readonly string[];
  /** Snapshots carrying every one of these tags. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Snapshots carrying a tag with this key, whatever its value. */
  readonly tagKey?: string;
  readonly status?: 'progressing' | 'accomplished' | 'failed' | 'all';
  readonly nextToken?: string;
  /** Page size, 1-100 (default 100). */
  readonly maxResults?: number;
}

/**
 * The SDK failed to read a reply body as JSON: no status code (the reply came back 2xx,
 * or the SDK would have raised an HTTP error with one) and a JSON parse error.
 */
function isUnparsableReply(err: unknown): boolean {
  // Already snapcopy's (missing credentials, a refused sandbox key): its own words stand.
  if (isSnapcopyError(err)) return false;
  const e = (err ?? {}) as { name?: unknown; message?: unknown; statusCode?: unknown };
  if (typeof e.statusCode === 'number') return false;
  const message = typeof e.message === 'string' ? e.message : '';
  return e.name === 'SyntaxError' || /\bJSON\b|Unexpected token|Unexpected end of/i.test(message);
}

/** A 200 reply that is not an ECS reply: never read as "nothing there". */
export function notEcsReply(operation: string, region: string, what: string): SnapcopyError {
  return new SnapcopyError(
    'PROVIDER_ERROR',
    `alibaba ECS ${operation} in ${region}: the endpoint did not answer like ECS (${what}); check the endpoint`,
    { provider: ALIBABA_PROVIDER, retryable: true, providerCode: 'MalformedReply' },
  );
}

/**
 * The id a copy call (CopySnapshot, CopyImage) returned. A reply without one is as good as a
 * lost one: the call may have been applied, so the error is ambiguous.
 */
export function copiedId(
  operation: 'CopySnapshot' | 'CopyImage',
  region: string,
  id: string | undefined,
  requestId: string | undefined,
): string {
  if (id) return id;
  const field = operation === 'CopySnapshot' ? 'SnapshotId' : 'ImageId';
  throw new SnapcopyError(
    'PROVIDER_ERROR',
    `alibaba ECS ${operation} in ${region}: the endpoint did not answer like ECS (no ${field}); the copy may exist`,
    {
      provider: ALIBABA_PROVIDER,
      retryable: true,
      ambiguous: true,
      providerCode: 'MalformedReply',
      ...(requestId ? { requestId } : {}),
    },
  );
}

/**
 * Runs one ECS call in `region` under its deadline (the pool's request timeout, or the
 * caller's signal): the client (with its credentials) is made inside it, the SDK module is
 * loaded before it (a one-off cost, not the call's). Any failure is mapped onto snapcopy's
 * closed set, naming the operation; a 200 reply that is not ECS's JSON is a retryable
 * `MalformedReply`, ambiguous after a call that changes state.
 */
export async function callEcs<T>(
  pool: EcsClientPool,
  operation: EcsOperation,
  mutating: boolean,
  region: string,
  signal: AbortSignal | undefined,
  fn: (client: EcsClient, models: EcsModels) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) {
    throw new SnapcopyError('CANCELLED', `alibaba ECS ${operation} not sent: the call was aborted`, {
      provider: ALIBABA_PROVIDER,
    });
  }
  try {
    const models = await pool.models();
    // One deadline from credentials to the reply's last byte; a request cut off by it is
    // reported by the error, not as a call.
    return await withCallDeadline(
      async () => {
        const client = await pool.client(region);
        return timeAlibabaCall(operation, region, () => fn(client, models));
      },
      { timeoutMs: pool.requestTimeoutMs, signal },
    );
  } catch (err) {
    if (isUnparsableReply(err)) {
      // A 200 whose body is not ECS's JSON (an empty body, a proxy's page): say so, and
      // for a call that changes state, say it may have been applied.
      throw new SnapcopyError(
        'PROVIDER_ERROR',
        `alibaba ECS ${operation} in ${region}: the endpoint did not answer like ECS (the reply is not ECS's JSON); check the endpoint${mutating ? '; the call may have been applied' : ''}`,
        {
          provider: ALIBABA_PROVIDER,
          retryable: true,
          ambiguous: mutating,
          providerCode: 'MalformedReply',
          cause: err,
        },
      );
    }
    throw mapAlibabaError(err, { operation, mutating });
  }
}

/**
 * The ECS calls the adapter makes, each one request with the SDK's retries off, each
 * failure mapped onto snapcopy's closed set with the operation named. Every call ends
 * within the pool's request timeout, or as soon as the caller's signal aborts: the SDK
 * takes no abort signal, so the call is abandoned (its socket is closed by the SDK's own
 * read timeout, set to the same value).
 */
export class EcsCalls {
  readonly #pool: EcsClientPool;

  constructor(pool: EcsClientPool) {
    this.#pool = pool;
  }

  /** One page of snapshots in `region` matching `filter`. */
  async describeSnapshots(
    region: string,
    filter: EcsSnapshotFilter,
    signal?: AbortSignal,
  ): Promise<EcsSnapshotPage> {
    const res = await callEcs(this.#pool, 'DescribeSnapshots', false, region, signal, (client, models) => {
      const request = new models.DescribeSnapshotsRequest({
        regionId: region,
        maxResults: filter.maxResults ?? ECS_PAGE_SIZE,
        ...(filter.snapshotIds === undefined ? {} : { snapshotIds: JSON.stringify(filter.snapshotIds) }),
        ...(filter.status === undefined ? {} : { status: filter.status }),
        ...(filter.nextToken === undefined ? {} : { nextToken: filter.nextToken }),
        ...(filter.tags === undefined && filter.tagKey === undefined
          ? {}
          : {
              tag: [
                ...Object.entries(filter.tags ?? {}).map(
                  ([key, value]) => new models.DescribeSnapshotsRequestTag({ key, value }),
                ),
                ...(filter.tagKey === undefined
                  ? []
                  : [new models.DescribeSnapshotsRequestTag({ key: filter.tagKey })]),
              ],
            }),
      });
      return client.describeSnapshotsWithOptions(request, this.#pool.runtime);
    });
    // ECS always answers with a RequestId and a Snapshots object (empty when nothing
    // matches); without them the reply says nothing about which snapshots exist.
    const body = res.body;
    if (!body?.requestId || body.snapshots === undefined || body.snapshots === null) {
      throw notEcsReply('DescribeSnapshots', region, 'no RequestId or Snapshots in the reply');
    }
    const next = body.nextToken;
    return {
      snapshots: body.snapshots.snapshot ?? [],
      ...(next ? { nextToken: next } : {}),
      ...(typeof body.totalCount === 'number' ? { totalCount: body.totalCount } : {}),
    };
  }

  /**
   * The member snapshot ids of one snapshot-consistent group, or `undefined` when the
   * caller has no such group in `region`.
   */
  async snapshotGroupMembers(
    region: string,
    groupId: string,
    signal?: AbortSignal,
  ): Promise<string[] | undefined> {
    const res = await callEcs(this.#pool, 'DescribeSnapshotGroups', false, region, signal, (client, models) =>
      client.describeSnapshotGroupsWithOptions(
        new models.DescribeSnapshotGroupsRequest({
          regionId: region,
          snapshotGroupId: [groupId],
          maxResults: 10,
        }),
        this.#pool.runtime,
      ),
    );
    const body = res.body;
    if (!body?.requestId || body.snapshotGroups === undefined || body.snapshotGroups === null) {
      throw notEcsReply('DescribeSnapshotGroups', region, 'no RequestId or SnapshotGroups in the reply');
    }
    const group = (body.snapshotGroups.snapshotGroup ?? []).find((g) => g.snapshotGroupId === groupId);
    if (group === undefined) return undefined;
    return (group.snapshots?.snapshot ?? []).map((m) => m.snapshotId).filter((id): id is string => !!id);
  }

  /** Sends CopySnapshot (to the source region); returns the new snapshot id. */
  async copySnapshot(params: CopySnapshotParams, signal?: AbortSignal): Promise<string> {
    const res = await callEcs(this.#pool, 'CopySnapshot', true, params.regionId, signal, (client, models) => {
      const request = new models.CopySnapshotRequest({
        ...params,
        tag: params.tag.map((t) => new models.CopySnapshotRequestTag(t)),
      });
      return client.copySnapshotWithOptions(request, this.#pool.runtime);
    });
    return copiedId('CopySnapshot', params.regionId, res.body?.snapshotId, res.body?.requestId);
  }

  /** Deletes a snapshot; ECS stops a copy in progress at once. */
  async deleteSnapshot(region: string, snapshotId: string, signal?: AbortSignal): Promise<void> {
    await callEcs(this.#pool, 'DeleteSnapshot', true, region, signal, (client, models) => {
      const request = new models.DeleteSnapshotRequest({ snapshotId, force: false });
      return client.deleteSnapshotWithOptions(request, this.#pool.runtime);
    });
  }
}
