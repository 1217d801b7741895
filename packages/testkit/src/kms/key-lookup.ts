import type { SimKey, SimWorld } from '../sim/world.js';

/** What a KMS key identifier names for a caller in a region. */
export type AwsKmsKeyLookup =
  | { readonly kind: 'found'; readonly key: SimKey }
  | { readonly kind: 'invalid-arn' | 'not-found'; readonly message: string };

const KEY_ARN_RE = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN_RE = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

/** `arn:aws:kms:<region>:<account>:alias/<name>` */
export function awsAliasArn(region: string, account: string, alias: string): string {
  return `arn:aws:kms:${region}:${account}:${alias}`;
}

/**
 * Resolves a KMS key identifier the way KMS does ("Key identifiers" in the KMS developer
 * guide): a key id, key ARN, alias name (`alias/…`) or alias ARN all name one key. A key
 * id or alias name is looked up in the caller's own account; another account's key can
 * only be named by key ARN or alias ARN. KMS is regional: an ARN of another region names
 * no key here. Whether the caller may use a key it found is a separate question.
 */
export function lookUpAwsKmsKey(
  world: SimWorld,
  ref: string,
  caller: string,
  region: string,
): AwsKmsKeyLookup {
  let account = caller;
  let refRegion = region;
  let id: string | undefined;
  let alias: string | undefined;
  const keyArn = KEY_ARN_RE.exec(ref);
  const aliasArn = keyArn ? null : ALIAS_ARN_RE.exec(ref);
  const arn = keyArn ?? aliasArn;
  if (arn) {
    refRegion = arn[1]!;
    account = arn[2]!;
    if (keyArn) id = arn[3]!;
    else alias = arn[3]!;
  } else if (ref.startsWith('arn:')) return { kind: 'invalid-arn', message: `Invalid arn ${ref}` };
  else if (ref.startsWith('alias/')) alias = ref;
  else id = ref;
  if (refRegion !== region) return { kind: 'not-found', message: `Invalid arn ${refRegion}` };
  if (id !== undefined) {
    const k = world.keys.get(id);
    if (k && k.account === account && k.region === region) return { kind: 'found', key: k };
    return { kind: 'not-found', message: `Key 'arn:aws:kms:${region}:${account}:key/${id}' does not exist` };
  }
  for (const k of world.keys.values()) {
    if (k.account === account && k.region === region && k.aliases.includes(alias!))
      return { kind: 'found', key: k };
  }
  return { kind: 'not-found', message: `Alias ${awsAliasArn(region, account, alias!)} is not found.` };
}
