import { SnapcopyError } from '@snapcopy/core';
import { registerSecret } from '@snapcopy/core/driver';
import { resolveCjsNamed } from './ecs-sdk.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';

/** An AccessKey pair, optionally with an STS security token. */
export interface AlibabaStaticCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
}

/** What a credential source hands out (the shape of `@alicloud/credentials`' `CredentialModel`). */
export interface AlibabaCredentialModel {
  readonly accessKeyId?: string;
  readonly accessKeySecret?: string;
  readonly securityToken?: string;
  readonly bearerToken?: string;
  readonly type?: string;
  readonly providerName?: string;
}

/**
 * Anything with `getCredential()`, such as a `Credential` from `@alicloud/credentials`
 * configured for a RAM role, OIDC or a credentials URI.
 */
export interface AlibabaCredentialSource {
  getCredential(): Promise<AlibabaCredentialModel>;
}

/** Static keys, or a source that fetches (and refreshes) them. */
export type AlibabaCredentials = AlibabaStaticCredentials | AlibabaCredentialSource;

/** The credential part of the ECS client configuration. */
export type CredentialConfig =
  | { readonly accessKeyId: string; readonly accessKeySecret: string; readonly securityToken?: string }
  | { readonly credential: AlibabaCredentialSource };

function isSource(c: AlibabaCredentials): c is AlibabaCredentialSource {
  return typeof (c as Partial<AlibabaCredentialSource>).getCredential === 'function';
}

/** Registers every secret a source hands out, so that none can reach a message or log. */
function redactingSource(inner: AlibabaCredentialSource): AlibabaCredentialSource {
  return {
    async getCredential() {
      const model = await inner.getCredential();
      registerSecret(model.accessKeySecret);
      registerSecret(model.securityToken);
      registerSecret(model.bearerToken);
      return model;
    },
  };
}

/** What one source of the default chain hands out (`@alicloud/credentials`' `Credentials`). */
interface ChainCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
  readonly providerName?: string;
}

/** One source of the default chain: a provider of `@alicloud/credentials` and what it reads. */
interface ChainLink {
  /** In the "looked in" list of the error when nothing is found. */
  readonly where: string;
  readonly provider: { getCredentials(): Promise<ChainCredentials> };
}

type ProviderClass = { builder(): { build(): ChainLink['provider'] } & Record<string, unknown> };
type Builder = ReturnType<ProviderClass['builder']> & {
  withRoleName(name: string): Builder;
  withCredentialsURI(uri: string): Builder;
  withProfileName(name: string): Builder;
};

/**
 * The sources for one named profile, as `aliyun --profile NAME` reads it: that profile of
 * the aliyun CLI config (`~/.aliyun/config.json`), then the section of that name in the
 * credentials file. The environment's keys are not looked at: a named profile wins.
 */
function profileChainLinks(mod: unknown, profile: string): ChainLink[] {
  const named = (name: string) => resolveCjsNamed<ProviderClass>(mod, name);
  const links = [
    link(`profile "${profile}" of the aliyun CLI config (~/.aliyun/config.json)`, () =>
      (named('CLIProfileCredentialsProvider').builder() as Builder).withProfileName(profile),
    ),
    link(
      `profile "${profile}" of the credentials file (~/.alibabacloud/credentials or ALIBABA_CLOUD_CREDENTIALS_FILE)`,
      () => (named('ProfileCredentialsProvider').builder() as Builder).withProfileName(profile),
    ),
  ];
  return links.filter((l): l is ChainLink => l !== undefined);
}

/** Builds one provider; `undefined` when its builder refuses (not configured, or disabled). */
function tryBuild(make: () => { build(): ChainLink['provider'] }): ChainLink['provider'] | undefined {
  try {
    return make().build();
  } catch {
    return undefined;
  }
}

/**
 * The sources of the default chain, in the order of `@alicloud/credentials`' own default
 * chain, with one difference: the ECS instance RAM role (instance metadata at
 * 100.100.100.200) and a credentials URI are used only when their environment variables
 * name them (`ALIBABA_CLOUD_ECS_METADATA` = the role, `ALIBABA_CLOUD_CREDENTIALS_URI`).
 * Off an ECS instance a metadata probe waits for timeouts and says nothing useful, so
 * missing credentials are reported at once, without a network lookup.
 */
function defaultChainLinks(mod: unknown, env: NodeJS.ProcessEnv): ChainLink[] {
  const named = (name: string) => resolveCjsNamed<ProviderClass>(mod, name);
  const links: (ChainLink | undefined)[] = [
    {
      where: 'ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      provider: named('EnvironmentVariableCredentialsProvider').builder().build(),
    },
    link('OIDC (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_*)', () =>
      named('OIDCRoleArnCredentialsProvider').builder(),
    ),
    link('the aliyun CLI config (~/.aliyun/config.json)', () =>
      named('CLIProfileCredentialsProvider').builder(),
    ),
    link('the credentials file (~/.alibabacloud/credentials or ALIBABA_CLOUD_CREDENTIALS_FILE)', () =>
      named('ProfileCredentialsProvider').builder(),
    ),
    env.ALIBABA_CLOUD_ECS_METADATA
      ? link(`the ECS RAM role ${env.ALIBABA_CLOUD_ECS_METADATA} (instance metadata)`, () =>
          (named('ECSRAMRoleCredentialsProvider').builder() as Builder).withRoleName(
            env.ALIBABA_CLOUD_ECS_METADATA as string,
          ),
        )
      : undefined,
    env.ALIBABA_CLOUD_CREDENTIALS_URI
      ? link('ALIBABA_CLOUD_CREDENTIALS_URI', () =>
          (named('URICredentialsProvider').builder() as Builder).withCredentialsURI(
            env.ALIBABA_CLOUD_CREDENTIALS_URI as string,
          ),
        )
      : undefined,
  ];
  return links.filter((l): l is ChainLink => l !== undefined);
}

function link(where: string, make: () => { build(): ChainLink['provider'] }): ChainLink | undefined {
  const provider = tryBuild(make);
  return provider === undefined ? undefined : { where, provider };
}

/** The error when no source of the chain yields credentials: one line, what to set, no source's text. */
function noCredentials(links: readonly ChainLink[]): SnapcopyError {
  return new SnapcopyError(
    'ACCESS_DENIED',
    `alibaba: no credentials found: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, configure a profile, or on an ECS instance name its RAM role in ALIBABA_CLOUD_ECS_METADATA (looked in: ${links.map((l) => l.where).join('; ')})`,
    { provider: ALIBABA_PROVIDER, providerCode: 'NoCredentials' },
  );
}

/** The chain as a credential source: the first source that yields credentials is kept. */
function chainSource(links: readonly ChainLink[]): AlibabaCredentialSource {
  let chosen: ChainLink | undefined;
  return {
    async getCredential() {
      if (chosen) return modelOf(await chosen.provider.getCredentials());
      for (const l of links) {
        let got: ChainCredentials | undefined;
        try {
          got = await l.provider.getCredentials();
        } catch {
          continue;
        }
        if (got?.accessKeyId && got.accessKeySecret) {
          chosen = l;
          return modelOf(got);
        }
      }
      throw noCredentials(links);
    },
  };
}

function modelOf(c: ChainCredentials): AlibabaCredentialModel {
  return {
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    ...(c.securityToken ? { securityToken: c.securityToken } : {}),
    type: 'default',
    ...(c.providerName ? { providerName: `default/${c.providerName}` } : {}),
  };
}

let credentialsModule: Promise<unknown> | undefined;

/**
 * The default credential chain: environment (`ALIBABA_CLOUD_ACCESS_KEY_ID`/
 * `ALIBABA_CLOUD_ACCESS_KEY_SECRET`[/`ALIBABA_CLOUD_SECURITY_TOKEN`]), OIDC, the aliyun CLI
 * config and the credentials file, then the instance RAM role and a credentials URI only
 * when `ALIBABA_CLOUD_ECS_METADATA` / `ALIBABA_CLOUD_CREDENTIALS_URI` name them. When no
 * source yields credentials, `getCredential()` throws `ACCESS_DENIED` saying what to set.
 * Each call builds a chain from the environment of that moment. With `profile`, only that
 * profile is looked in (the aliyun CLI config, then the credentials file).
 */
export async function defaultCredentialChain(profile?: string): Promise<AlibabaCredentialSource> {
  credentialsModule ??= import('@alicloud/credentials').catch((err: unknown) => {
    credentialsModule = undefined;
    throw err;
  });
  const mod = await credentialsModule;
  const links = profile === undefined ? defaultChainLinks(mod, process.env) : profileChainLinks(mod, profile);
  return redactingSource(chainSource(links));
}

/**
 * Turns the caller's credentials into client configuration: static keys go straight to
 * the client (their secret is registered for redaction now); a source is wrapped so its
 * secrets are registered as they are fetched; nothing given means the default chain.
 */
export async function credentialConfig(
  credentials: AlibabaCredentials | undefined,
  profile?: string,
): Promise<CredentialConfig> {
  if (credentials === undefined) {
    // Resolved once now, so that missing credentials fail before any ECS request is sent.
    const chain = await defaultCredentialChain(profile);
    await chain.getCredential();
    return { credential: chain };
  }
  if (isSource(credentials)) return { credential: redactingSource(credentials) };
  registerSecret(credentials.accessKeySecret);
  registerSecret(credentials.securityToken);
  return {
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
  };
}
