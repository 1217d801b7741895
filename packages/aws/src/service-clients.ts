import type { EBSClient } from '@aws-sdk/client-ebs';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { Ec2ClientPool } from './client-pool.js';
import type { AwsEbsCopierOptions } from './options.js';

/** The AWS KMS SDK module, loaded on first use (a plan that needs no key never loads it). */
export type KmsSdk = typeof import('@aws-sdk/client-kms');
/** The EBS direct APIs SDK module, loaded on first use (only an incremental copy's plan needs it). */
export type EbsSdk = typeof import('@aws-sdk/client-ebs');

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
}

/** Loads `@aws-sdk/client-kms` once per process. */
export const loadKmsSdk: () => Promise<KmsSdk> = once(() => import('@aws-sdk/client-kms'));
/** Loads `@aws-sdk/client-ebs` once per process. */
export const loadEbsSdk: () => Promise<EbsSdk> = once(() => import('@aws-sdk/client-ebs'));

/**
 * One KMS client and one EBS direct APIs client per region, made on first use with the
 * same credentials, retries (off) and timeouts as the copier's EC2 clients.
 */
export class AwsServiceClients {
  readonly #pool: Ec2ClientPool;
  readonly #options: AwsEbsCopierOptions;
  readonly #kms = new Map<string, Promise<KMSClient>>();
  readonly #ebs = new Map<string, Promise<EBSClient>>();

  constructor(pool: Ec2ClientPool, options: AwsEbsCopierOptions) {
    this.#pool = pool;
    this.#options = options;
  }

  kms(region: string): Promise<KMSClient> {
    return this.#cached(
      this.#kms,
      region,
      this.#options.kmsEndpoint,
      async (config) => new (await loadKmsSdk()).KMSClient(config),
    );
  }

  ebs(region: string): Promise<EBSClient> {
    return this.#cached(
      this.#ebs,
      region,
      this.#options.ebsEndpoint,
      async (config) => new (await loadEbsSdk()).EBSClient(config),
    );
  }

  /**
   * The region's client of one service, made on first use with the pool's config for the
   * service's own endpoint (`serviceEndpoint`), else the copier's `endpoint`.
   */
  #cached<C extends Parameters<Ec2ClientPool['watchDefaultCredentials']>[0]>(
    map: Map<string, Promise<C>>,
    region: string,
    serviceEndpoint: string | undefined,
    make: (config: ReturnType<Ec2ClientPool['clientConfig']>) => Promise<C>,
  ): Promise<C> {
    const endpoint = serviceEndpoint ?? this.#options.endpoint;
    let client = map.get(region);
    if (!client) {
      client = make(this.#pool.clientConfig(region, endpoint)).then((made) => {
        this.#pool.watchDefaultCredentials(made, endpoint);
        return made;
      });
      client.catch(() => map.delete(region));
      map.set(region, client);
    }
    return client;
  }

  /** Destroys every client (closes their sockets). */
  destroy(): void {
    for (const map of [this.#kms, this.#ebs] as Map<string, Promise<{ destroy(): void }>>[]) {
      for (const client of map.values()) client.then((c) => c.destroy()).catch(() => {});
      map.clear();
    }
  }
}
