import type { FieldIssue } from '@snapcopy/core';
import {
  throwIfIssues,
  refuseSandboxKeyOffLoopback,
  registerSecret,
  timeoutOptionIssue,
} from '@snapcopy/core/driver';
import { type CredentialConfig, credentialConfig } from './credentials.js';
import type { EcsClient, EcsModels, EcsRuntimeOptions } from './ecs-sdk.js';
import { loadEcsSdk } from './ecs-sdk.js';
import { parseAlibabaEndpoint } from './endpoint.js';
import {
  ALIBABA_DEFAULT_CONNECT_TIMEOUT_MS,
  ALIBABA_DEFAULT_REQUEST_TIMEOUT_MS,
  type AlibabaEcsCopierOptions,
} from './options.js';

/**
 * Checks the options a copier is made with, before any call: a fixed endpoint and the
 * timeouts. Throws `INVALID_REQUEST` naming each one (never echoing URL credentials).
 */
export function checkAlibabaOptions(options: AlibabaEcsCopierOptions): void {
  if (typeof options.endpoint === 'string') parseAlibabaEndpoint(options.endpoint, options.protocol);
  const issues: FieldIssue[] = [];
  for (const name of ['requestTimeoutMs', 'connectionTimeoutMs', 'connectTimeoutMs'] as const) {
    const issue = timeoutOptionIssue(options[name]);
    if (issue) issues.push({ path: name, message: issue });
  }
  throwIfIssues(issues, 'alibaba');
}

/**
 * One ECS client per region, created on first use and kept. Every client has the SDK's
 * retries off (no `retryOptions`, and `autoretry: false`/`maxAttempts: 0` per call for
 * older runtimes that read those), so core's retry policy is the only one.
 */
export class EcsClientPool {
  readonly #clients = new Map<string, Promise<EcsClient>>();
  readonly #options: AlibabaEcsCopierOptions;
  #credential: Promise<CredentialConfig> | undefined;
  /** Options of every call: a reply timeout, no SDK retries. */
  readonly runtime: EcsRuntimeOptions;
  /**
   * Longest time one ECS call may take, ms: each call's deadline. The SDK's own timeouts
   * are set to it too, but it takes no abort signal, so the deadline is what ends a call.
   */
  readonly requestTimeoutMs: number;

  constructor(options: AlibabaEcsCopierOptions) {
    // The secrets are redacted from every log line and error from now on.
    const creds = options.credentials as { accessKeySecret?: unknown; securityToken?: unknown } | undefined;
    if (typeof creds?.accessKeySecret === 'string') registerSecret(creds.accessKeySecret);
    if (typeof creds?.securityToken === 'string') registerSecret(creds.securityToken);
    checkAlibabaOptions(options);
    this.#options = options;
    this.requestTimeoutMs = options.requestTimeoutMs ?? ALIBABA_DEFAULT_REQUEST_TIMEOUT_MS;
    const connectMs =
      options.connectionTimeoutMs ??
      options.connectTimeoutMs ??
      Math.min(ALIBABA_DEFAULT_CONNECT_TIMEOUT_MS, this.requestTimeoutMs);
    // A plain object is enough: the SDK only reads these fields.
    this.runtime = {
      autoretry: false,
      maxAttempts: 0,
      readTimeout: this.requestTimeoutMs,
      connectTimeout: connectMs,
    } as EcsRuntimeOptions;
  }

  /** The request model classes (loads the SDK on first use). */
  async models(): Promise<EcsModels> {
    return (await loadEcsSdk()).models;
  }

  /** The client for `region`. */
  client(region: string): Promise<EcsClient> {
    let client = this.#clients.get(region);
    if (!client) {
      client = this.#create(region);
      this.#clients.set(region, client);
      client.catch(() => this.#clients.delete(region));
    }
    return client;
  }

  /** The credential part of every client's configuration (ECS and KMS), resolved once. */
  credential(): Promise<CredentialConfig> {
    this.#credential ??= credentialConfig(this.#options.credentials, this.#options.profile).catch(
      (err: unknown) => {
        this.#credential = undefined;
        throw err;
      },
    );
    return this.#credential;
  }

  /**
   * Refuses the sandbox's access key bound for `endpoint` (a URL or `host[:port]`; undefined:
   * the real cloud) when that is not this machine, before anything is signed with it.
   */
  async refuseSandboxKeyOffLoopback(endpoint: string | undefined): Promise<void> {
    const credential = await this.credential();
    const accessKeyId =
      'credential' in credential
        ? (await credential.credential.getCredential()).accessKeyId
        : credential.accessKeyId;
    refuseSandboxKeyOffLoopback(accessKeyId, endpoint, 'alibaba');
  }

  async #create(region: string): Promise<EcsClient> {
    const sdk = await loadEcsSdk();
    const credential = await this.credential();
    const given = this.#options.endpoint;
    const endpoint =
      given === undefined
        ? undefined
        : parseAlibabaEndpoint(typeof given === 'function' ? given(region) : given, this.#options.protocol);
    await this.refuseSandboxKeyOffLoopback(endpoint?.host);
    const config = new sdk.Config({
      ...credential,
      regionId: region,
      ...(endpoint ? { endpoint: endpoint.host, protocol: endpoint.protocol } : {}),
      readTimeout: this.runtime.readTimeout,
      connectTimeout: this.runtime.connectTimeout,
    });
    return new sdk.Client(config);
  }
}
