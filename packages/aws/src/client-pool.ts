import type { EC2Client } from '@aws-sdk/client-ec2';
import { registerSecret } from '@snapcopy/core';
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

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

/** The per-request and connect timeouts every AWS client of the copier uses. */
export function requestHandlerOptions(o: AwsEbsCopierOptions): {
  requestTimeout: number;
  connectionTimeout: number;
} {
  return {
    requestTimeout: o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    connectionTimeout: o.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
  };
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

  constructor(options: AwsEbsCopierOptions) {
    this.#options = options;
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
    const o = this.#options;
    const given = o.credentials;
    // Whatever the source (given provider or the SDK's default chain), the secret is
    // registered before the SDK signs with it, so it can never reach a message.
    // Copies, not the caller's objects: the SDK writes bookkeeping onto credentials, which
    // fails on a frozen object.
    const credentials =
      typeof given === 'function'
        ? async () => {
            const c = await given();
            registerCredentialSecrets(c);
            return { ...c };
          }
        : given === undefined
          ? undefined
          : { ...given };
    const client = new sdk.EC2Client({
      region,
      maxAttempts: 1,
      ...(credentials === undefined ? {} : { credentials }),
      ...(o.endpoint === undefined ? {} : { endpoint: o.endpoint }),
      ...(o.useFipsEndpoint === undefined ? {} : { useFipsEndpoint: o.useFipsEndpoint }),
      requestHandler: requestHandlerOptions(o),
    });
    if (given === undefined) {
      // The default chain resolves lazily; register what it finds before the first call.
      const inner = client.config.credentials;
      client.config.credentials = async (props?: Record<string, unknown>) => {
        const c = await inner(props);
        registerCredentialSecrets(c);
        return c;
      };
    }
    return client;
  }

  /** Destroys every client (closes their sockets). */
  destroy(): void {
    for (const client of this.#clients.values()) {
      client.then((c) => c.destroy()).catch(() => {});
    }
    this.#clients.clear();
  }
}
