import type { KMSClient } from '@aws-sdk/client-kms';
import type { KeyAccess } from '@snapcopy/core';
import { type Ec2ClientPool, requestHandlerOptions } from './client-pool.js';
import { mapAwsError } from './error-mapping.js';
import type { AwsEbsCopierOptions } from './options.js';

type KmsSdk = typeof import('@aws-sdk/client-kms');

let sdkPromise: Promise<KmsSdk> | undefined;

/** Loads `@aws-sdk/client-kms` once per process, only when a key is checked. */
function loadKmsSdk(): Promise<KmsSdk> {
  sdkPromise ??= import('@aws-sdk/client-kms').catch((err: unknown) => {
    sdkPromise = undefined;
    throw err;
  });
  return sdkPromise;
}

/**
 * KMS answers that mean "this caller may not use this key", as opposed to a call that
 * failed: the key policy (or the caller's IAM policy) does not let it in, the key does not
 * exist (or is named by another account's alias), or it is in a state that cannot encrypt.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html
 */
const NOT_USABLE = new Set([
  'AccessDeniedException',
  'NotFoundException',
  'InvalidArnException',
  'KMSInvalidStateException',
  'DisabledException',
]);

/**
 * KMS DescribeKey, to tell whether the caller may use a key (another account's key only by
 * its key ARN or alias ARN). The client borrows the EC2 client's credential provider, so
 * the secrets it signs with are the ones already registered for redaction.
 */
export class KmsCalls {
  readonly #pool: Ec2ClientPool;
  readonly #options: AwsEbsCopierOptions;
  readonly #clients = new Map<string, Promise<KMSClient>>();

  constructor(pool: Ec2ClientPool, options: AwsEbsCopierOptions) {
    this.#pool = pool;
    this.#options = options;
  }

  #client(region: string): Promise<KMSClient> {
    let client = this.#clients.get(region);
    if (!client) {
      client = Promise.all([loadKmsSdk(), this.#pool.client(region)]).then(
        ([sdk, ec2]) =>
          new sdk.KMSClient({
            region,
            maxAttempts: 1,
            credentials: ec2.config.credentials,
            ...(this.#options.endpoint === undefined ? {} : { endpoint: this.#options.endpoint }),
            requestHandler: requestHandlerOptions(this.#options),
          }),
      );
      client.catch(() => this.#clients.delete(region));
      this.#clients.set(region, client);
    }
    return client;
  }

  /** Whether the caller may use `keyId` in `region` (its state must be `Enabled`). */
  async keyAccess(region: string, keyId: string, signal?: AbortSignal): Promise<KeyAccess> {
    let state: string | undefined;
    try {
      const [sdk, client] = await Promise.all([loadKmsSdk(), this.#client(region)]);
      const res = await client.send(
        new sdk.DescribeKeyCommand({ KeyId: keyId }),
        signal ? { abortSignal: signal } : {},
      );
      state = res.KeyMetadata?.KeyState;
    } catch (err) {
      const name = (err as { name?: unknown } | null)?.name;
      if (typeof name === 'string' && NOT_USABLE.has(name)) {
        const message = (err as { message?: unknown }).message;
        return {
          region,
          keyId,
          usable: false,
          reason: `${name}: ${typeof message === 'string' ? message : ''}`,
        };
      }
      throw mapAwsError(err, { operation: 'DescribeKey', region, mutating: false });
    }
    if (state === 'Enabled') return { region, keyId, usable: true, keyState: state };
    return {
      region,
      keyId,
      usable: false,
      ...(state === undefined ? {} : { keyState: state }),
      reason: `the key is ${state ?? 'in an unknown state'}: only an Enabled key can be used`,
    };
  }

  destroy(): void {
    for (const client of this.#clients.values()) client.then((c) => c.destroy()).catch(() => {});
    this.#clients.clear();
  }
}
