import type * as CredentialsModule from '@alicloud/credentials';
import { registerSecret } from '@snapcopy/core';
import { resolveCjsDefault } from './ecs-sdk.js';

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

type CredentialClass = typeof CredentialsModule.default.default;

let defaultChain: Promise<AlibabaCredentialSource> | undefined;

/**
 * The Alibaba default credential chain of `@alicloud/credentials`: environment
 * (`ALIBABA_CLOUD_ACCESS_KEY_ID`/`ALIBABA_CLOUD_ACCESS_KEY_SECRET`[/`ALIBABA_CLOUD_SECURITY_TOKEN`]),
 * OIDC, the CLI and profile files, the instance RAM role (instance metadata) and a
 * credentials URI, in that order. Built once per process, on first use.
 */
export function defaultCredentialChain(): Promise<AlibabaCredentialSource> {
  defaultChain ??= import('@alicloud/credentials')
    .then((mod) => {
      const Credential = resolveCjsDefault<CredentialClass>(
        mod,
        (c) =>
          typeof c === 'function' && typeof (c as CredentialClass).prototype.getCredential === 'function',
      );
      return redactingSource(new Credential());
    })
    .catch((err: unknown) => {
      defaultChain = undefined;
      throw err;
    });
  return defaultChain;
}

/**
 * Turns the caller's credentials into client configuration: static keys go straight to
 * the client (their secret is registered for redaction now); a source is wrapped so its
 * secrets are registered as they are fetched; nothing given means the default chain.
 */
export async function credentialConfig(
  credentials: AlibabaCredentials | undefined,
): Promise<CredentialConfig> {
  if (credentials === undefined) return { credential: await defaultCredentialChain() };
  if (isSource(credentials)) return { credential: redactingSource(credentials) };
  registerSecret(credentials.accessKeySecret);
  registerSecret(credentials.securityToken);
  return {
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
  };
}
