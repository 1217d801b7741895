import type { FaultInjector } from '../sim/faults.js';
import { GARBAGE_REPLY, TokenBucket } from '../sim/faults.js';
import type { SimHandler, SimHttpRequest, SimHttpResponse } from '../sim/mount.js';
import type { SimAccount } from '../sim/world.js';
import { copySnapshot } from './copy-snapshot.js';
import { deleteSnapshot } from './delete-snapshot.js';
import { describeSnapshots } from './describe-snapshots.js';
import type { EcsState } from './ecs-state.js';
import { copyImage } from './images/copy-image.js';
import { describeImages } from './images/describe-images.js';
import { cancelCopyImage, deleteImage } from './images/image-lifecycle.js';
import { describeImageSharePermission, modifyImageSharePermission } from './images/image-share-permission.js';
import { newRequestId } from './ids.js';
import { modifySnapshotAttribute } from './modify-snapshot-attribute.js';
import type { EcsOperation } from './operation-context.js';
import { authenticateRpc } from './rpc-authentication.js';
import { EcsApiError, ecsErrors } from './rpc-errors.js';
import { decodeQueryPairs, EcsParams } from './rpc-params.js';
import {
  createSnapshotGroup,
  deleteSnapshotGroup,
  describeSnapshotGroups,
  modifySnapshotGroup,
} from './snapshot-groups.js';
import { listTagResources, tagResources, untagResources } from './tag-operations.js';

/** The operations the front-end serves, by `Action`. */
export const ECS_OPERATIONS: Readonly<Record<string, EcsOperation>> = Object.freeze({
  CopySnapshot: copySnapshot,
  DescribeSnapshots: describeSnapshots,
  DeleteSnapshot: deleteSnapshot,
  TagResources: tagResources,
  UntagResources: untagResources,
  ListTagResources: listTagResources,
  CopyImage: copyImage,
  CancelCopyImage: cancelCopyImage,
  DescribeImages: describeImages,
  DeleteImage: deleteImage,
  ModifyImageSharePermission: modifyImageSharePermission,
  DescribeImageSharePermission: describeImageSharePermission,
  ModifySnapshotAttribute: modifySnapshotAttribute,
  CreateSnapshotGroup: createSnapshotGroup,
  DescribeSnapshotGroups: describeSnapshotGroups,
  DeleteSnapshotGroup: deleteSnapshotGroup,
  ModifySnapshotGroup: modifySnapshotGroup,
});

/** Flow control: `capacity` calls, refilled at `refillPerSecond`, per account and action. */
export interface EcsRateLimit {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

/** The documented ECS rate for these APIs: 1000 calls per 60 s. */
export const ECS_DOCUMENTED_RATE_LIMIT: EcsRateLimit = Object.freeze({
  capacity: 1000,
  refillPerSecond: 1000 / 60,
});

/** Settings of the RPC front-end. */
export interface EcsRpcFrontEndOptions {
  /** Per-action token buckets, or `false` for none (benchmarks). */
  readonly rateLimit: EcsRateLimit | false;
  /** The error a `server-error` fault produces. */
  serverErrorCode: 'InternalError' | 'ServiceUnavailable';
  /** The actions served (default {@link ECS_OPERATIONS}); another RPC product passes its own. */
  readonly operations?: Readonly<Record<string, EcsOperation>>;
  /** Product name in the error envelope's troubleshooting link (default `Ecs`). */
  readonly product?: string;
  /** The product's flow-control error (default ECS's `Throttling.User`). */
  readonly throttled?: () => EcsApiError;
  /** The product's error for a `server-error` fault (overrides `serverErrorCode`). */
  readonly serverError?: () => EcsApiError;
  /** The region a request is served in, for the request log (default: its `RegionId`). */
  readonly regionOf?: (params: EcsParams, host: string) => string | undefined;
}

/** Parameters never written to the request log. */
const SECRET_PARAMS = new Set(['Signature', 'SecurityToken']);

/**
 * The ECS RPC front-end (API version 2014-05-26): decodes the query (and a form body,
 * for clients that send one), takes the action from `x-acs-action` or `Action`, verifies
 * the signature, applies faults and flow control, runs the operation and answers JSON
 * with the ECS error envelope. Every request is recorded in the world's request log.
 */
export class EcsRpcFrontEnd implements SimHandler {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    readonly state: EcsState,
    readonly faults: FaultInjector,
    readonly options: EcsRpcFrontEndOptions,
  ) {}

  async handle(req: SimHttpRequest): Promise<SimHttpResponse> {
    const requestId = newRequestId();
    const host = req.headers.host ?? 'ecs.aliyuncs.com';
    const world = this.state.world;
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    let action = req.headers['x-acs-action'] ?? '';
    let logParams: Record<string, string> = {};
    let account: SimAccount | undefined;
    let fault: string | undefined;
    let region: string | undefined;
    let latencyMs: number | undefined;
    const record = (httpStatus: number, errorCode?: string) =>
      world.requests.record({
        at: world.clock.now(),
        cloud: 'ecs',
        operation: action,
        region,
        account: account?.id,
        params: logParams,
        httpStatus,
        ...(errorCode !== undefined ? { errorCode } : {}),
        requestId,
        ...(fault !== undefined ? { fault } : {}),
      });
    try {
      const query = decodeQueryPairs(q < 0 ? '' : req.url.slice(q + 1));
      const contentType = req.headers['content-type'] ?? '';
      const bodyPairs =
        req.body !== '' && contentType.startsWith('application/x-www-form-urlencoded')
          ? decodeQueryPairs(req.body.replace(/\+/g, '%20'))
          : [];
      const allParams = [...query, ...bodyPairs];
      const params = new EcsParams(allParams);
      if (action === '') action = params.get('Action') ?? '';
      logParams = Object.fromEntries(allParams.filter(([k]) => !SECRET_PARAMS.has(k)));
      region = this.options.regionOf ? this.options.regionOf(params, host) : params.get('RegionId');
      const operation = (this.options.operations ?? ECS_OPERATIONS)[action];
      if (!operation) throw action === '' ? ecsErrors.missing('Action') : ecsErrors.unknownAction(action);
      account = authenticateRpc(this.state, {
        method: req.method,
        path,
        query,
        allParams,
        headers: req.headers,
        body: req.body,
      });

      const picked = this.faults.pick(action);
      fault = picked?.kind;
      if (picked?.kind === 'latency') latencyMs = picked.latencyMs;
      if (picked?.kind === 'reset') {
        record(0);
        return { drop: true };
      }
      const throttled = this.options.throttled ?? ecsErrors.throttled;
      if (picked?.kind === 'hang') {
        record(0);
        await this.faults.hang();
        return { drop: true };
      }
      if (picked?.kind === 'throttle') throw throttled();
      if (picked?.kind === 'server-error') {
        if (this.options.serverError) throw this.options.serverError();
        throw this.options.serverErrorCode === 'ServiceUnavailable'
          ? ecsErrors.unavailable()
          : ecsErrors.internal();
      }
      if (!this.#takeToken(account.id, action)) throw throttled();

      this.state.advance();
      const body = operation({ state: this.state, params, account, host });
      record(200);
      if (picked?.kind === 'drop-after') return { drop: true };
      if (picked?.kind === 'hang-after') return { hang: true };
      if (picked?.kind === 'garbage') return GARBAGE_REPLY;
      return {
        ...json(200, requestId, { RequestId: requestId, ...body }),
        ...(latencyMs !== undefined ? { latencyMs } : {}),
      };
    } catch (err) {
      if (!(err instanceof EcsApiError)) throw err;
      record(err.status, err.code);
      if (fault === 'drop-after') return { drop: true };
      if (fault === 'hang-after') return { hang: true };
      // A proxy in the way answers the same page whatever ECS said.
      if (fault === 'garbage') return GARBAGE_REPLY;
      const reply = json(err.status, requestId, {
        RequestId: requestId,
        HostId: host,
        Code: err.code,
        Message: err.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}&product=${this.options.product ?? 'Ecs'}&requestId=${requestId}`,
      });
      return latencyMs !== undefined ? { ...reply, latencyMs } : reply;
    }
  }

  #takeToken(account: string, action: string): boolean {
    const limit = this.options.rateLimit;
    if (limit === false) return true;
    const key = `${account}/${action}`;
    const now = this.state.world.clock.now();
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(limit.capacity, limit.refillPerSecond, now);
      this.#buckets.set(key, bucket);
    }
    return bucket.take(now);
  }
}

function json(status: number, requestId: string, body: Record<string, unknown>): SimHttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId },
    body: JSON.stringify(body),
  };
}
