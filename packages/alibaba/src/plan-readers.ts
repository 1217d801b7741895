import type { EcsCalls } from './calls.js';
import type { EcsClientPool } from './client-pool.js';
import { AlibabaKmsCalls } from './kms-calls.js';
import {
  ALIBABA_DEFAULT_CONNECT_TIMEOUT_MS,
  ALIBABA_DEFAULT_REQUEST_TIMEOUT_MS,
  type AlibabaEcsCopierOptions,
} from './options.js';
import type { AlibabaPlanReaders } from './plan-facts.js';

/**
 * The readers snapshot and image plans share: ECS, and KMS DescribeKey with the copier's
 * credentials and timeouts (its own endpoint when `kmsEndpoint` is given).
 */
export function createAlibabaPlanReaders(
  pool: EcsClientPool,
  ecs: EcsCalls,
  options: AlibabaEcsCopierOptions,
): AlibabaPlanReaders {
  const kmsEndpoint = options.kmsEndpoint ?? options.endpoint;
  return {
    ecs,
    kms: new AlibabaKmsCalls({
      credential: () => pool.credential(),
      guard: (endpoint) => pool.refuseSandboxKeyOffLoopback(endpoint),
      ...(kmsEndpoint === undefined ? {} : { endpoint: kmsEndpoint }),
      ...(options.protocol === undefined ? {} : { protocol: options.protocol }),
      readTimeout: options.requestTimeoutMs ?? ALIBABA_DEFAULT_REQUEST_TIMEOUT_MS,
      connectTimeout: options.connectTimeoutMs ?? ALIBABA_DEFAULT_CONNECT_TIMEOUT_MS,
    }),
    maxLineagePages: Math.max(1, options.lineageLookupMaxPages ?? 10),
  };
}
