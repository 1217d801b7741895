import type * as KmsModule from '@alicloud/kms20160120';
import { SnapcopyError } from '@snapcopy/core';
import type { CredentialConfig } from './credentials.js';
import { timeAlibabaCall } from './call-report.js';
import { resolveCjsDefault } from './ecs-sdk.js';
import { parseAlibabaEndpoint } from './endpoint.js';
import { mapAlibabaError } from './error-mapping.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';
import type { AlibabaKeyRead } from './rules/keys.js';

/** The `@alicloud/kms20160120` client class. */
type KmsClientClass = typeof KmsModule.default.default;
type KmsClient = InstanceType<KmsClientClass>;

/** KMS's RPC API version. */
const KMS_VERSION = '2016-01-20';

let loading: Promise<KmsClientClass> | undefined;

/** Imports the KMS SDK on first use: a plan that needs no key never loads it. */
function loadKmsClient(): Promise<KmsClientClass> {
  loading ??= import('@alicloud/kms20160120')
    .then((mod) =>
      resolveCjsDefault<KmsClientClass>(
        mod,
        (c) => typeof c === 'function' && typeof (c as KmsClientClass).prototype?.doRequest === 'function',
      ),
    )
    .catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
  return loading;
}

/** Where the KMS client of one region sends its requests, and how. */
export interface AlibabaKmsSettings {
  readonly credential: () => Promise<CredentialConfig>;
  /** Refuses credentials that must not go to this endpoint (`host[:port]`; undefined: the real cloud). */
  readonly guard?: (endpoint: string | undefined) => Promise<void>;
  /** `host[:port]` or a URL; default `kms.<region>.aliyuncs.com` over HTTPS. */
  readonly endpoint?: string | ((region: string) => string);
  readonly protocol?: 'http' | 'https';
  readonly readTimeout: number;
  readonly connectTimeout: number;
}

interface SdkError {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly data?: { readonly Code?: unknown; readonly Message?: unknown } | null;
}

/** KMS's codes for a key or alias that does not exist (KMS API reference, DescribeKey; public error codes). */
const NOT_FOUND = new Set(['Forbidden.KeyNotFound', 'Forbidden.AliasNotFound', 'Forbidden.ResourceNotFound']);
/** KMS's codes for a refusal: the permission system, RAM, or the key's owner. */
const DENIED = new Set(['Forbidden.NoPermission', 'Forbidden.RAM']);

/**
 * Alibaba Cloud KMS DescribeKey, as a plan reads it: one key reference (key id, alias or
 * ARN) in one region, answered as a fact ({@link AlibabaKeyRead}). The region is sent as
 * `RegionId` on every request: the KMS SDK sends none, and a sandbox endpoint names none.
 * Throttling, server faults and the network throw, mapped onto snapcopy's closed set.
 */
export class AlibabaKmsCalls {
  readonly #settings: AlibabaKmsSettings;
  readonly #clients = new Map<string, Promise<KmsClient>>();

  constructor(settings: AlibabaKmsSettings) {
    this.#settings = settings;
  }

  #endpoint(region: string): { host: string; protocol: 'http' | 'https' } {
    const given = this.#settings.endpoint;
    if (given === undefined) return { host: `kms.${region}.aliyuncs.com`, protocol: 'https' };
    return parseAlibabaEndpoint(typeof given === 'function' ? given(region) : given, this.#settings.protocol);
  }

  #client(region: string): Promise<KmsClient> {
    let client = this.#clients.get(region);
    if (!client) {
      client = (async () => {
        const [Client, credential] = await Promise.all([loadKmsClient(), this.#settings.credential()]);
        const { host, protocol } = this.#endpoint(region);
        await this.#settings.guard?.(this.#settings.endpoint === undefined ? undefined : host);
        const auth =
          'credential' in credential
            ? {
                // The RPC client asks for each part separately; the source hands out all at once.
                credential: {
                  getAccessKeyId: async () => (await credential.credential.getCredential()).accessKeyId ?? '',
                  getAccessKeySecret: async () =>
                    (await credential.credential.getCredential()).accessKeySecret ?? '',
                  getSecurityToken: async () =>
                    (await credential.credential.getCredential()).securityToken ?? '',
                  getType: () => 'sts',
                },
              }
            : credential;
        // The client reads plain fields off its config (a tea model class in the types).
        const config = {
          ...auth,
          regionId: region,
          endpoint: host,
          protocol,
          readTimeout: this.#settings.readTimeout,
          connectTimeout: this.#settings.connectTimeout,
        } as unknown as ConstructorParameters<KmsClientClass>[0];
        return new Client(config);
      })();
      this.#clients.set(region, client);
      client.catch(() => this.#clients.delete(region));
    }
    return client;
  }

  async describeKey(region: string, keyId: string, signal?: AbortSignal): Promise<AlibabaKeyRead> {
    if (signal?.aborted) {
      throw new SnapcopyError('CANCELLED', 'alibaba KMS DescribeKey not sent: the call was aborted', {
        provider: ALIBABA_PROVIDER,
      });
    }
    let reply: Record<string, unknown>;
    try {
      const client = await this.#client(region);
      reply = await timeAlibabaCall('DescribeKey', region, () =>
        client.doRequest(
          'DescribeKey',
          this.#endpoint(region).protocol.toUpperCase(),
          'POST',
          KMS_VERSION,
          'AK',
          { KeyId: keyId, RegionId: region },
          null as never,
          // One attempt: core's retry policy is the only one.
          {
            autoretry: false,
            readTimeout: this.#settings.readTimeout,
            connectTimeout: this.#settings.connectTimeout,
          } as never,
        ),
      );
    } catch (err) {
      const e = (typeof err === 'object' && err !== null ? err : {}) as SdkError;
      const code = typeof e.data?.Code === 'string' ? e.data.Code : undefined;
      const message =
        typeof e.data?.Message === 'string' ? e.data.Message : String(e.message ?? 'no message');
      if (code !== undefined && NOT_FOUND.has(code))
        return { kind: 'not-found', message: `${code}: ${message}` };
      if (code !== undefined && DENIED.has(code)) return { kind: 'denied', message: `${code}: ${message}` };
      if (e.name === 'UnretryableError') {
        // The RPC client hides a lost connection behind this name once it may not retry.
        throw new SnapcopyError(
          'PROVIDER_ERROR',
          `alibaba KMS DescribeKey in ${region}: the request failed on the network`,
          {
            provider: ALIBABA_PROVIDER,
            retryable: true,
            cause: err,
          },
        );
      }
      throw mapAlibabaError(
        code === undefined ? err : Object.assign(Object.create(Object.getPrototypeOf(err)), err, { code }),
        { operation: 'KMS DescribeKey', mutating: false },
      );
    }
    const m = reply.KeyMetadata as Record<string, unknown> | undefined;
    if (typeof m?.KeyId !== 'string' || typeof m.Arn !== 'string') {
      throw new SnapcopyError(
        'PROVIDER_ERROR',
        `alibaba KMS DescribeKey in ${region}: the endpoint did not answer like KMS (no KeyMetadata); check the endpoint`,
        { provider: ALIBABA_PROVIDER, retryable: true, providerCode: 'MalformedReply' },
      );
    }
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const state = text(m.KeyState) ?? 'Unknown';
    const creator = text(m.Creator);
    const keySpec = text(m.KeySpec);
    const keyUsage = text(m.KeyUsage);
    return {
      kind: 'found',
      keyId: m.KeyId,
      arn: m.Arn,
      state,
      ...(creator === undefined ? {} : { creator }),
      ...(keySpec === undefined ? {} : { keySpec }),
      ...(keyUsage === undefined ? {} : { keyUsage }),
    };
  }
}
