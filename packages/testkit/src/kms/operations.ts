import { simKeyState } from '../sim/key-state.js';
import type { SimKey } from '../sim/world.js';
import { type AwsJsonOperation, AwsServiceError } from '../sim/aws-json-front-end.js';
import { awsAliasArn, lookUpAwsKmsKey } from './key-lookup.js';

/** The description KMS gives the AWS managed key for EBS. */
const AWS_MANAGED_EBS_DESCRIPTION = 'Default key that protects my EBS volumes when no other key is defined';

const seconds = (ms: number) => ms / 1000;

function validation(member: string, value: unknown, constraint: string): AwsServiceError {
  return new AwsServiceError(
    'ValidationException',
    `1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

function stringMember(
  input: Readonly<Record<string, unknown>>,
  name: string,
  member: string,
): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > 2048) {
    throw validation(member, v, 'Member must have length between 1 and 2048');
  }
  return v;
}

/** The `KeyMetadata` DescribeKey returns for a key (symmetric encryption keys only). */
export function awsKeyMetadata(key: SimKey): Record<string, unknown> {
  const state = simKeyState(key);
  return {
    AWSAccountId: key.account,
    KeyId: key.id,
    Arn: key.arn,
    CreationDate: seconds(key.createdAt ?? 0),
    Enabled: state === 'Enabled',
    Description: key.description ?? (key.serviceKey ? AWS_MANAGED_EBS_DESCRIPTION : ''),
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: state,
    ...(state === 'PendingDeletion' && key.deletionDate !== undefined
      ? { DeletionDate: seconds(key.deletionDate) }
      : {}),
    Origin: state === 'PendingImport' ? 'EXTERNAL' : 'AWS_KMS',
    KeyManager: key.serviceKey ? 'AWS' : 'CUSTOMER',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  };
}

/**
 * DescribeKey (KMS API reference): any of the four key identifiers; another account's key
 * only by key ARN or alias ARN, and only when its key policy lets the caller in (here: the
 * key's `usableBy`), else `AccessDeniedException`. Keys in every state are described.
 */
export const describeKey: AwsJsonOperation = (ctx, input) => {
  const ref = stringMember(input, 'KeyId', 'keyId');
  if (ref === undefined) throw validation('keyId', undefined, 'Member must not be null');
  const found = lookUpAwsKmsKey(ctx.world, ref, ctx.account, ctx.region);
  if (found.kind !== 'found') {
    throw new AwsServiceError(
      found.kind === 'invalid-arn' ? 'InvalidArnException' : 'NotFoundException',
      found.message,
    );
  }
  const { key } = found;
  if (key.account !== ctx.account && !key.usableBy.has(ctx.account)) {
    throw new AwsServiceError(
      'AccessDeniedException',
      `User: arn:aws:iam::${ctx.account}:root is not authorized to perform: kms:DescribeKey on resource: ${key.arn} because no resource-based policy allows the kms:DescribeKey action`,
    );
  }
  return { KeyMetadata: awsKeyMetadata(key) };
};

interface AliasEntry {
  readonly name: string;
  readonly key: SimKey;
}

function encodeMarker(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64');
}

function decodeMarker(marker: string, size: number): number {
  try {
    const { o } = JSON.parse(Buffer.from(marker, 'base64').toString('utf8')) as { o?: unknown };
    if (typeof o === 'number' && Number.isInteger(o) && o > 0 && o <= size) return o;
  } catch {
    // fall through: not a marker this service issued
  }
  throw new AwsServiceError('InvalidMarkerException', 'Invalid marker');
}

/**
 * ListAliases (KMS API reference): the aliases of the caller's account in the region,
 * AWS managed ones (`alias/aws/…`) included, by alias name; with `KeyId` (key id or key
 * ARN of the caller's key) only that key's. `Limit` 1–100 (default 50), `Marker` /
 * `NextMarker` / `Truncated` for pages. Not cross-account.
 */
export const listAliases: AwsJsonOperation = (ctx, input) => {
  const limitRaw = input.Limit;
  if (
    limitRaw !== undefined &&
    (typeof limitRaw !== 'number' || !Number.isInteger(limitRaw) || limitRaw < 1 || limitRaw > 100)
  ) {
    throw validation('limit', limitRaw, 'Member must have value between 1 and 100');
  }
  const limit = (limitRaw as number | undefined) ?? 50;
  const keyRef = stringMember(input, 'KeyId', 'keyId');
  let only: SimKey | undefined;
  if (keyRef !== undefined) {
    const found = keyRef.includes('alias/')
      ? undefined
      : lookUpAwsKmsKey(ctx.world, keyRef, ctx.account, ctx.region);
    if (found?.kind === 'invalid-arn') throw new AwsServiceError('InvalidArnException', found.message);
    if (found?.kind !== 'found' || found.key.account !== ctx.account) {
      throw new AwsServiceError('NotFoundException', `Key '${keyRef}' does not exist`);
    }
    only = found.key;
  }
  const entries: AliasEntry[] = [];
  for (const key of ctx.world.keys.values()) {
    if (key.account !== ctx.account || key.region !== ctx.region) continue;
    if (only && key !== only) continue;
    for (const name of key.aliases) entries.push({ name, key });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const marker = stringMember(input, 'Marker', 'marker');
  const from = marker === undefined ? 0 : decodeMarker(marker, entries.length);
  const page = entries.slice(from, from + limit);
  const next = from + page.length;
  return {
    Aliases: page.map(({ name, key }) => ({
      AliasName: name,
      AliasArn: awsAliasArn(ctx.region, ctx.account, name),
      TargetKeyId: key.id,
      CreationDate: seconds(key.createdAt ?? 0),
      LastUpdatedDate: seconds(key.createdAt ?? 0),
    })),
    Truncated: next < entries.length,
    ...(next < entries.length ? { NextMarker: encodeMarker(next) } : {}),
  };
};

/** The KMS actions the simulator serves, by `X-Amz-Target` operation name. */
export const KMS_OPERATIONS: Readonly<Record<string, AwsJsonOperation>> = Object.freeze({
  DescribeKey: describeKey,
  ListAliases: listAliases,
});
