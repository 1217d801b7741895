import type { SimSnapshot } from '../sim/world.js';
import { Ec2ApiError, ec2Errors } from './errors.js';
import type { QueryParams } from './query-params.js';
import { ec2Extra } from './snapshot-view.js';

/*
 * Who may create volumes from (and so see and copy) an EBS snapshot, and what
 * ModifySnapshotAttribute may change. Sources:
 * - ModifySnapshotAttribute: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySnapshotAttribute.html
 *   ("Encrypted snapshots and snapshots with AWS Marketplace product codes cannot be made
 *   public. Snapshots encrypted with your default KMS key cannot be shared with other
 *   accounts." Up to 500 modifications per call; add or remove, not both.)
 * - DescribeSnapshots: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html
 *   (public, explicit and implicit create-volume permissions; Owner and RestorableBy values)
 * - Share a snapshot: https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html
 * - Error codes: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 */

/** The most modifications one ModifySnapshotAttribute call may make. */
export const MAX_PERMISSION_MODIFICATIONS = 500;

const ACCOUNT_ID_RE = /^\d{12}$/;

/** Whether `account` holds a create-volume permission: it owns the snapshot, was granted it, or it is public. */
export function canCreateVolume(s: SimSnapshot, account: string): boolean {
  return s.account === account || s.sharedWith.has(account) || ec2Extra(s).public === true;
}

/** One ModifySnapshotAttribute request, reduced to what it changes. */
export interface PermissionChange {
  readonly operation: 'add' | 'remove';
  /** Account ids, in request order, without repeats. */
  readonly userIds: readonly string[];
  /** The `all` group (public). */
  readonly groupAll: boolean;
}

/** What the rules need to know about the snapshot being shared. */
export interface ShareFacts {
  readonly encrypted: boolean;
  /** Encrypted with the account's AWS managed key (`alias/aws/ebs`). */
  readonly awsManagedKey: boolean;
  readonly productCodes: boolean;
}

/** Why EC2 refuses a permission change, or undefined when it is allowed. Removing is always allowed. */
export function shareRefusal(
  facts: ShareFacts,
  change: PermissionChange,
): { code: string; message: string } | undefined {
  if (change.operation === 'remove') return undefined;
  if (change.groupAll && facts.encrypted) {
    return { code: 'OperationNotPermitted', message: 'Encrypted snapshots cannot be made public.' };
  }
  if (change.groupAll && facts.productCodes) {
    return {
      code: 'OperationNotPermitted',
      message: 'Snapshots with AWS Marketplace product codes cannot be made public.',
    };
  }
  if (change.userIds.length > 0 && facts.encrypted && facts.awsManagedKey) {
    // The wording real EC2 answers with (seen in public bug reports).
    return {
      code: 'OperationNotPermitted',
      message: 'Encrypted snapshots with EBS default key cannot be shared',
    };
  }
  return undefined;
}

function readUser(value: string): string {
  if (!ACCOUNT_ID_RE.test(value)) {
    throw new Ec2ApiError('InvalidUserID.Malformed', `Invalid user id: "${value}"`);
  }
  return value;
}

function readGroup(value: string): true {
  if (value !== 'all') {
    throw ec2Errors.invalidParameterValue(
      `Value (${value}) for parameter group is invalid. Expected: 'all'.`,
    );
  }
  return true;
}

/**
 * Reads a ModifySnapshotAttribute request in either of its two forms — `OperationType`
 * with `UserId.N` / `UserGroup.N`, or `CreateVolumePermission.Add.N.UserId|Group` /
 * `…Remove.N…` — into one {@link PermissionChange}, refusing what EC2 refuses.
 */
export function readPermissionChange(p: QueryParams): PermissionChange {
  const attribute = p.get('Attribute');
  if (attribute === 'productCodes') {
    throw ec2Errors.invalidParameterValue('Only the createVolumePermission attribute can be modified.');
  }
  if (attribute !== undefined && attribute !== 'createVolumePermission') {
    throw ec2Errors.invalidParameterValue(`Value (${attribute}) for parameter attribute is invalid.`);
  }
  const legacyUsers = p.list('UserId');
  const legacyGroups = p.list('UserGroup');
  const adds = p.indexes('CreateVolumePermission.Add');
  const removes = p.indexes('CreateVolumePermission.Remove');
  const legacy = legacyUsers.length > 0 || legacyGroups.length > 0;
  const structured = adds.length > 0 || removes.length > 0;
  if (legacy && structured) {
    throw ec2Errors.invalidParameterCombination(
      'UserId/UserGroup cannot be combined with CreateVolumePermission in one request.',
    );
  }
  if (adds.length > 0 && removes.length > 0) {
    throw ec2Errors.invalidParameterCombination(
      'A request may add or remove create volume permissions, not both.',
    );
  }
  let operation: 'add' | 'remove';
  const users: string[] = [];
  let groups = 0;
  if (structured) {
    operation = adds.length > 0 ? 'add' : 'remove';
    const prefix = operation === 'add' ? 'CreateVolumePermission.Add' : 'CreateVolumePermission.Remove';
    for (const n of operation === 'add' ? adds : removes) {
      const user = p.get(`${prefix}.${n}.UserId`);
      const group = p.get(`${prefix}.${n}.Group`);
      if (user === undefined && group === undefined)
        throw ec2Errors.missingParameter(`${prefix}.${n}.UserId`);
      if (user !== undefined) users.push(readUser(user));
      if (group !== undefined && readGroup(group)) groups++;
    }
  } else if (legacy) {
    const type = p.get('OperationType');
    if (type === undefined || type === '') throw ec2Errors.missingParameter('OperationType');
    if (type !== 'add' && type !== 'remove') {
      throw ec2Errors.invalidParameterValue(`Value (${type}) for parameter operationType is invalid.`);
    }
    operation = type;
    for (const u of legacyUsers) users.push(readUser(u));
    for (const g of legacyGroups) if (readGroup(g)) groups++;
  } else {
    throw ec2Errors.missingParameter('CreateVolumePermission');
  }
  if (users.length + groups > MAX_PERMISSION_MODIFICATIONS) {
    throw ec2Errors.invalidParameterValue(
      `You can make up to ${MAX_PERMISSION_MODIFICATIONS} modifications to a snapshot in a single operation.`,
    );
  }
  return { operation, userIds: [...new Set(users)], groupAll: groups > 0 };
}

/** `Owner.N` values: account ids, `self`, `amazon`. */
export function readOwners(values: readonly string[]): string[] {
  for (const v of values) {
    if (v !== 'self' && v !== 'amazon' && !ACCOUNT_ID_RE.test(v)) {
      throw new Ec2ApiError('InvalidUserID.Malformed', `Invalid user id: "${v}"`);
    }
  }
  return [...values];
}

/** `RestorableBy.N` values: account ids, `self`, `all`. */
export function readRestorableBy(values: readonly string[]): string[] {
  for (const v of values) {
    if (v !== 'self' && v !== 'all' && !ACCOUNT_ID_RE.test(v)) {
      throw new Ec2ApiError('InvalidUserID.Malformed', `Invalid user id: "${v}"`);
    }
  }
  return [...values];
}

/** `Owner.N`: snapshots of those owners (`self` is the caller; `amazon` matches the owner alias). Values are OR'ed. */
export function ownerMatcher(owners: readonly string[], caller: string): (s: SimSnapshot) => boolean {
  if (owners.length === 0) return () => true;
  return (s) =>
    owners.some((o) => {
      if (o === 'self') return s.account === caller;
      if (o === 'amazon') return ec2Extra(s).ownerAlias === 'amazon';
      return s.account === o;
    });
}

/**
 * `RestorableBy.N`, as DescribeSnapshots documents it: `all` selects public snapshots;
 * `self` those the caller owns or was explicitly granted; an account id those the caller
 * owns that the account may create volumes from (explicitly, or because they are public).
 * Values are OR'ed.
 */
export function restorableMatcher(accounts: readonly string[], caller: string): (s: SimSnapshot) => boolean {
  if (accounts.length === 0) return () => true;
  return (s) =>
    accounts.some((a) => {
      if (a === 'all') return ec2Extra(s).public === true;
      if (a === 'self') return s.account === caller || s.sharedWith.has(caller);
      if (s.account !== caller) return false;
      return a === caller || s.sharedWith.has(a) || ec2Extra(s).public === true;
    });
}
