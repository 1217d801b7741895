import type { EcsState } from '../ecs/ecs-state.js';
import { EcsRpcFrontEnd } from '../ecs/rpc-front-end.js';
import type { FaultInjector } from '../sim/faults.js';
import {
  ALIBABA_KMS_OPERATIONS,
  alibabaKmsInternal,
  alibabaKmsRegion,
  alibabaKmsThrottled,
} from './operations.js';

/**
 * Alibaba Cloud KMS (RPC API 2016-01-20) on the RPC front-end ECS uses: the same signed
 * query (legacy HMAC-SHA1 from `@alicloud/kms20160120`, or ACS3), the same JSON envelope
 * and error shape, KMS's own actions and error codes, served from the world's key table.
 * No flow control is simulated for KMS.
 */
export function alibabaKmsFrontEnd(state: EcsState, faults: FaultInjector): EcsRpcFrontEnd {
  return new EcsRpcFrontEnd(state, faults, {
    rateLimit: false,
    serverErrorCode: 'InternalError',
    serverError: alibabaKmsInternal,
    operations: ALIBABA_KMS_OPERATIONS,
    product: 'Kms',
    throttled: alibabaKmsThrottled,
    regionOf: alibabaKmsRegion,
  });
}
