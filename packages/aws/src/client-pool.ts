import type { EC2Client } from '@aws-sdk/client-ec2';
import { DEFAULT_REQUEST_TIMEOUT_MS, type FieldIssue } from '@snapcopy/core';
import {
  throwIfIssues,
  parseEndpoint,
  refuseSandboxKeyOffLoopback,
  registerSecret,
  timeoutOptionIssue,
} from '@snapcopy/core/driver';
import type { AwsEbsCopierOptions, AwsStaticCredentials } from './options.js';

/** The AWS SDK module, loaded on first use so that importing this package stays cheap. */
export type Ec2Sdk = typeof import('@aws-sdk/client-ec2');

let sdkPromise: Promise<Ec2Sdk> | undefined;

/** Loads `@aws-sdk/client-ec2` once per process (~0.5 s, ~90 MB: only when a call needs it). */
export function loadEc2Sdk(): Promise<Ec2Sdk> {
  sdkPromise ??= import('@aws-sdk/client-ec2').catch((err: unknown) => {
    sdkPromise = undefined;
    throw err;
  });
  return sdkPromise;
}

/** Default connect timeout, ms (never longer than the request timeout). */
export const AWS_DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

/**
 * Checks the options a copier is made with, before any call: the endpoint (an http(s) URL
 * without credentials in it) and the timeouts. Throws `INVALID_REQUEST` naming each one.
 */
export function checkAwsOptions(options: AwsEbsCopierOptions): void {
  if (options.endpoint !== undefined) parseEndpoint(options.endpoint, { path: 'endpoint', provider: 'aws' });
  const issues: FieldIssue[] = [];
  for (const name of ['requestTimeoutMs', 'connectionTimeoutMs'] as const) {
    const issue = timeoutOptionIssue(options[name]);
    if (issue) issues.push({ path: name, message: issue });
  }
  throwIfIssues(issues, 'aws');
}

function registerCredentialSecrets(creds: AwsStaticCredentials): void {
  registerSecret(creds.secretAccessKey);
  registerSecret(creds.sessionToken);
}

/**
 * One EC2 client per region, created on demand and cached. The SDK's own retries are
 * pinned off (`maxAttempts: 1`) so that core's retry policy is the only one, and every
 * secret the clients sign with is registered for redaction before it is used.
 */
export class Ec2ClientPool {
  readonly #options: AwsEbsCopierOptions;
  readonly #clients = new Map<string, Promise<EC2Client>>();
  /** Longest time one EC2 request may take, ms: each call's deadline. */
  readonly requestTimeoutMs: number;
  readonly #connectionTimeoutMs: number;

  constructor(options: AwsEbsCopierOptions) {
    checkAwsOptions(options);
    this.#options = options;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#connectionTimeoutMs =
      options.connectionTimeoutMs ?? Math.min(AWS_DEFAULT_CONNECTION_TIMEOUT_MS, this.requestTimeoutMs);
    const creds = options.credentials;
    if (creds !== undefined && typeof creds !== 'function') registerCredentialSecrets(creds);
  }

  /** The client for `region`, creating it (and loading the SDK) on first use. */
  client(region: string): Promise<EC2Client> {
    let client = this.#clients.get(region);
    if (!client) {
      client = this.#create(region);
      client.catch(() => this.#clients.delete(region));
      this.#clients.set(region, client);
    }
    return client;
  }

  async #create(region: string): Promise<EC2Client> {
    const sdk = await loadEc2Sdk();
    const client = new sdk.EC2Client(this.clientConfig(region, this.#options.endpoint));
    this.watchDefaultCredentials(client, this.#options.endpoint);
    return client;
  }

  /**
   * What every AWS SDK client of this copier is made with in `region` (EC2, and KMS and the
   * EBS direct APIs too): the credentials (or the profile the SDK reads them from),
   * `endpoint`, the SDK's retries off, the timeouts. The sandbox's keys are refused here
   * for any endpoint off this machine, before anything is signed with them.
   */
  clientConfig(region: string, endpoint: string | undefined) {
    const o = this.#options;
    const given = o.credentials;
    if (given !== undefined && typeof given !== 'function') {
      refuseSandboxKeyOffLoopback(given.accessKeyId, endpoint, 'aws');
    }
    // Whatever the source (given provider or the SDK's default chain), the secret is
    // registered before the SDK signs with it, so it can never reach a message.
    // Copies, not the caller's objects: the SDK writes bookkeeping onto credentials, which
    // fails on a frozen object.
    const credentials =
      typeof given === 'function'
        ? async () => {
            const c = await given();
            registerCredentialSecrets(c);
            refuseSandboxKeyOffLoopback(c.accessKeyId, endpoint, 'aws');
            return { ...c };
          }
        : given === undefined
          ? undefined
          : { ...given };
    return {
      region,
      maxAttempts: 1,
      ...(credentials === undefined ? {} : { credentials }),
      // The SDK's own shared-config loading (config and credentials files, SSO, roles).
      ...(o.profile === undefined ? {} : { profile: o.profile }),
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(o.useFipsEndpoint === undefined ? {} : { useFipsEndpoint: o.useFipsEndpoint }),
      // The handler's `requestTimeout` only logs a warning unless `throwOnRequestTimeout` is
      // set, and its socket idle timeout defaults to 15 minutes: against an endpoint that
      // accepts and never answers, a call would hang that long. Ec2Calls also puts each
      // call under a deadline of its own, which covers credential lookups and reading the
      // reply too.
      requestHandler: {
        requestTimeout: this.requestTimeoutMs,
        throwOnRequestTimeout: true,
        connectionTimeout: this.#connectionTimeoutMs,
      },
    };
  }

  /**
   * With the SDK's default chain (no credentials given), registers what it finds before the
   * first call, and refuses the sandbox's keys bound for `endpoint` off this machine.
   */
  watchDefaultCredentials(
    client: {
      config: { credentials: (props?: Record<string, unknown>) => Promise<AwsStaticCredentials> };
    },
    endpoint: string | undefined,
  ): void {
    if (this.#options.credentials !== undefined) return;
    const inner = client.config.credentials;
    client.config.credentials = async (props?: Record<string, unknown>) => {
      const c = await inner(props);
      registerCredentialSecrets(c);
      refuseSandboxKeyOffLoopback(c.accessKeyId, endpoint, 'aws');
      return c;
    };
  }

  /** Destroys every client (closes their sockets). */
  destroy(): void {
    for (const client of this.#clients.values()) {
      client.then((c) => c.destroy()).catch(() => {});
    }
    this.#clients.clear();
  }
}
