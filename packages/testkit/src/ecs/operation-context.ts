import type { SimAccount } from '../sim/world.js';
import type { EcsState } from './ecs-state.js';
import type { EcsParams } from './rpc-params.js';

/** What an operation receives: the cloud, the decoded parameters and the caller. */
export interface EcsOperationContext {
  readonly state: EcsState;
  readonly params: EcsParams;
  readonly account: SimAccount;
  /** The request's Host header: the endpoint, which names the region of regional services. */
  readonly host?: string;
}

/** An operation returns the reply body without `RequestId`, or throws an EcsApiError. */
export type EcsOperation = (ctx: EcsOperationContext) => Record<string, unknown>;
