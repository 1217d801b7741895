import { EcsCalls } from './calls.js';
import { EcsClientPool } from './client-pool.js';
import type { EcsClient } from './ecs-sdk.js';
import { EcsImageCalls } from './image-calls.js';
import { AlibabaKmsCalls } from './kms-calls.js';
import {
  ALIBABA_DEFAULT_CONNECT_TIMEOUT_MS,
  ALIBABA_DEFAULT_REQUEST_TIMEOUT_MS,
  type AlibabaEcsCopierOptions,
} from './options.js';
import type { AlibabaPlanReaders } from './plan-facts.js';

/**
 * What an Alibaba copier (snapshot or image) talks to, made from its options: the ECS client
 * pool with its snapshot and image calls, and the readers its plans share — ECS, and KMS
 * DescribeKey with the copier's credentials and timeouts (its own endpoint when
 * `kmsEndpoint` is given).
 */
export class AlibabaConnections {
  readonly calls: EcsCalls;
  readonly images: EcsImageCalls;
  readonly readers: AlibabaPlanReaders;
  readonly #pool: EcsClientPool;

  constructor(options: AlibabaEcsCopierOptions) {
    const pool = new EcsClientPool(options);
    this.#pool = pool;
    this.calls = new EcsCalls(pool);
    this.images = new EcsImageCalls(pool);
    const kmsEndpoint = options.kmsEndpoint ?? options.endpoint;
    this.readers = {
      ecs: this.calls,
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

  /** The `@alicloud/ecs20140526` client for `region`: the copier's credentials and endpoint, SDK retries off. */
  client(region: string): Promise<EcsClient> {
    return this.#pool.client(region);
  }
}
