import type { FaultInjector } from '../sim/faults.js';
import { GARBAGE_REPLY, TokenBucket } from '../sim/faults.js';
import type { SimHandler, SimHttpRequest, SimHttpResponse } from '../sim/mount.js';
import type { SimAccount } from '../sim/world.js';
import { copySnapshot } from './copy-snapshot.js';
import { deleteSnapshot } from './delete-snapshot.js';
import { describeSnapshots } from './describe-snapshots.js';
import type { EcsState } from './ecs-state.js';
import { newRequestId } from './ids.js';
import type { EcsOperation } from './operation-context.js';
import { authenticateRpc } from './rpc-authentication.js';
import { EcsApiError, ecsErrors } from './rpc-errors.js';
import { decodeQueryPairs, EcsParams } from './rpc-params.js';
import { listTagResources, tagResources, untagResources } from './tag-operations.js';

/** The operations the front-end serves, by `Action`. */
export const ECS_OPERATIONS: Readonly<Record<string, EcsOperation>> = Object.freeze({
  CopySnapshot: copySnapshot,
  DescribeSnapshots: describeSnapshots,
  DeleteSnapshot: deleteSnapshot,
  TagResources: tagResources,
  UntagResources: untagResources,
  ListTagResources: listTagResources,
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
      region = params.get('RegionId');
      const operation = ECS_OPERATIONS[action];
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
      if (picked?.kind === 'throttle') throw ecsErrors.throttled();
      if (picked?.kind === 'server-error') {
        throw this.options.serverErrorCode === 'ServiceUnavailable'
          ? ecsErrors.unavailable()
          : ecsErrors.internal();
      }
      if (!this.#takeToken(account.id, action)) throw ecsErrors.throttled();

      this.state.advance();
      const body = operation({ state: this.state, params, account });
      record(200);
      if (picked?.kind === 'drop-after') return { drop: true };
      if (picked?.kind === 'garbage') return GARBAGE_REPLY;
      return {
        ...json(200, requestId, { RequestId: requestId, ...body }),
        ...(latencyMs !== undefined ? { latencyMs } : {}),
      };
    } catch (err) {
      if (!(err instanceof EcsApiError)) throw err;
      record(err.status, err.code);
      if (fault === 'drop-after') return { drop: true };
      // A proxy in the way answers the same page whatever ECS said.
      if (fault === 'garbage') return GARBAGE_REPLY;
      const reply = json(err.status, requestId, {
        RequestId: requestId,
        HostId: host,
        Code: err.code,
        Message: err.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}&product=Ecs&requestId=${requestId}`,
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
