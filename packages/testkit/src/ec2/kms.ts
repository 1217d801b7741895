import { simKeyUsableBy } from '../sim/key-state.js';
import type { SimKey, SimWorld } from '../sim/world.js';

/** The alias of the AWS-managed EBS key that every account has in every region. */
export const AWS_MANAGED_EBS_ALIAS = 'alias/aws/ebs';

const KEY_ARN_RE = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN_RE = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

/**
 * Resolves a `KmsKeyId` as EC2 accepts it — key id, key ARN, `alias/name` or alias ARN —
 * for a caller in `region`. Bare ids and aliases name keys of the caller's own account;
 * another account's key must be named by ARN. Undefined when no such key exists there.
 */
export function resolveKmsKey(
  world: SimWorld,
  ref: string,
  caller: string,
  region: string,
): SimKey | undefined {
  let account = caller;
  let keyRegion = region;
  let id: string | undefined;
  let alias: string | undefined;
  const keyArn = KEY_ARN_RE.exec(ref);
  const aliasArn = keyArn ? null : ALIAS_ARN_RE.exec(ref);
  if (keyArn) {
    keyRegion = keyArn[1]!;
    account = keyArn[2]!;
    id = keyArn[3]!;
  } else if (aliasArn) {
    keyRegion = aliasArn[1]!;
    account = aliasArn[2]!;
    alias = aliasArn[3]!;
  } else if (ref.startsWith('alias/')) {
    alias = ref;
  } else {
    id = ref;
  }
  if (keyRegion !== region) return undefined;
  if (id !== undefined) {
    const k = world.keys.get(id);
    return k && k.account === account && k.region === region ? k : undefined;
  }
  for (const k of world.keys.values()) {
    if (k.account === account && k.region === region && alias !== undefined && k.aliases.includes(alias))
      return k;
  }
  return undefined;
}

/** Whether `account` may use `key` for EBS: enabled (not pending deletion or import), reachable, owned or granted. */
export const keyUsableBy: (key: SimKey | undefined, account: string) => key is SimKey = simKeyUsableBy;

/** The account's AWS-managed EBS key in a region, if the simulator created it. */
export function awsManagedEbsKey(world: SimWorld, account: string, region: string): SimKey | undefined {
  for (const k of world.keys.values()) {
    if (k.account === account && k.region === region && k.aliases.includes(AWS_MANAGED_EBS_ALIAS)) return k;
  }
  return undefined;
}

/** The default EBS key of an account in a region: the one set, else the AWS-managed key. */
export function defaultEbsKey(world: SimWorld, account: string, region: string): SimKey | undefined {
  const set = world.defaultKeyId.get(`${account}/${region}`);
  if (set !== undefined) return world.keys.get(set);
  return awsManagedEbsKey(world, account, region);
}
