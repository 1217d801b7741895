import { lookUpAwsKmsKey } from '../kms/key-lookup.js';
import { simKeyUsableBy } from '../sim/key-state.js';
import type { SimKey, SimWorld } from '../sim/world.js';

/** The alias of the AWS-managed EBS key that every account has in every region. */
export const AWS_MANAGED_EBS_ALIAS = 'alias/aws/ebs';

/**
 * Resolves a `KmsKeyId` as EC2 accepts it — key id, key ARN, `alias/name` or alias ARN —
 * for a caller in `region`, with KMS's own rules (bare ids and aliases name the caller's
 * keys; another account's key is named by ARN). Undefined when no such key exists there.
 */
export function resolveKmsKey(
  world: SimWorld,
  ref: string,
  caller: string,
  region: string,
): SimKey | undefined {
  const found = lookUpAwsKmsKey(world, ref, caller, region);
  return found.kind === 'found' ? found.key : undefined;
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
