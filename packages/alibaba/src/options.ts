import {
  type CancelLedger,
  type Clock,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type Logger,
  type RetryPolicy,
} from '@snapcopy/core';
import type { AlibabaCredentials } from './credentials.js';

/** Options of {@link createAlibabaEcsCopier}. Everything is optional. */
export interface AlibabaEcsCopierOptions {
  /**
   * AccessKey (and STS token), or a source such as an `@alicloud/credentials` `Credential`.
   * Default: the Alibaba default credential chain (environment, OIDC, CLI and profile
   * files; the instance RAM role and a credentials URI only when their environment
   * variables name them; see the README).
   */
  readonly credentials?: AlibabaCredentials;
  /**
   * A profile of the aliyun CLI's config (`~/.aliyun/config.json`), read by
   * `@alicloud/credentials` as `aliyun --profile NAME` does, when `credentials` is not given:
   * only that profile (then the credentials file's profile of that name) is looked in, not
   * the environment's keys. Default: `ALIBABA_CLOUD_PROFILE`, else the config's current
   * profile, after the environment's keys.
   */
  readonly profile?: string;
  /** Where cancels are recorded, so another process sharing it reads them as `cancelled`. */
  readonly cancelLedger?: CancelLedger;
  /**
   * Send every request here instead of the regional `ecs.<region>.aliyuncs.com` endpoint:
   * `http://127.0.0.1:8080` (a sandbox, which serves ECS and KMS on one port), `host:port`,
   * or a function of the region. KMS requests go here too unless `kmsEndpoint` says otherwise.
   */
  readonly endpoint?: string | ((region: string) => string);
  /**
   * Where KMS requests go: `host:port`, a URL, or a function of the region. Default:
   * `endpoint` when given, else the regional `kms.<region>.aliyuncs.com`.
   */
  readonly kmsEndpoint?: string | ((region: string) => string);
  /** Scheme for an endpoint given without one. Default `https`. */
  readonly protocol?: 'http' | 'https';
  /** Time for waits and backoffs (a virtual clock in tests). */
  readonly clock?: Clock;
  /** Core's retry policy; the SDK's own retries are always off. */
  readonly retry?: RetryPolicy;
  /**
   * Receives log lines (pino's or the console's shape), with secrets removed: at `debug`,
   * one per provider call with its operation, region, HTTP status, request id and duration.
   */
  readonly logger?: Logger;
  /**
   * Deadline of each ECS request, ms, from credentials to the last byte of the reply; it
   * also ends a request whose endpoint accepts and never answers. Default 30 000.
   */
  readonly requestTimeoutMs?: number;
  /** Longest wait to connect, ms. Default 10 000 (at most `requestTimeoutMs`). */
  readonly connectionTimeoutMs?: number;
  /** @deprecated The earlier name of `connectionTimeoutMs`, still read when that is absent. */
  readonly connectTimeoutMs?: number;
  /** Pages of 100 read when looking up earlier copies of a lineage in the destination. Default 10. */
  readonly lineageLookupMaxPages?: number;
}

/** Default deadline of one ECS call, ms. */
export const ALIBABA_DEFAULT_REQUEST_TIMEOUT_MS = DEFAULT_REQUEST_TIMEOUT_MS;
/** Default connect timeout, ms. */
export const ALIBABA_DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
