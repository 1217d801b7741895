import type { EcsOperation, EcsOperationContext } from '../ecs/operation-context.js';
import { EcsApiError } from '../ecs/rpc-errors.js';
import type { EcsParams } from '../ecs/rpc-params.js';
import { ecsTime } from '../ecs/time-format.js';
import { simKeyState } from '../sim/key-state.js';
import type { SimKey, SimWorld } from '../sim/world.js';

/** KMS's RPC API version. */
export const ALIBABA_KMS_VERSION = '2016-01-20';

const ARN_RE = /^acs:kms:([a-z0-9-]+):(\d+):(key|alias)\/(.+)$/;
const KMS_HOST_RE = /^kms(?:-vpc)?\.([a-z0-9-]+)\.aliyuncs\.com(?::\d+)?$/;

const keyNotFound = () => new EcsApiError(404, 'Forbidden.KeyNotFound', 'The specified Key is not found.');
const aliasNotFound = () =>
  new EcsApiError(404, 'Forbidden.AliasNotFound', 'The specified Alias is not found.');
const noPermission = () =>
  new EcsApiError(403, 'Forbidden.NoPermission', 'This operation is forbidden by permission system.');

/**
 * The region a KMS request is served in: its `RegionId` parameter when given, else the
 * region of the endpoint it was sent to (`kms.<region>.aliyuncs.com`). Undefined for a
 * bare `127.0.0.1:<port>` endpoint: the KMS SDK does not send the region.
 */
export function alibabaKmsRegion(params: EcsParams, host: string | undefined): string | undefined {
  return params.get('RegionId') ?? (host === undefined ? undefined : KMS_HOST_RE.exec(host)?.[1]);
}

/** `acs:kms:<region>:<uid>:alias/<name>` */
export function alibabaAliasArn(key: SimKey, alias: string): string {
  return `acs:kms:${key.region}:${key.account}:${alias}`;
}

/**
 * Resolves a KMS `KeyId` (KMS DescribeKey reference): a key id, an alias (`alias/…`) or a
 * key ARN (`acs:kms:<region>:<uid>:key/<id>`; alias ARNs are accepted too). Ids and
 * aliases name the caller's own keys; "when you access a key within another Alibaba
 * Cloud account, you must enter the ARN of the key". Key ids are globally unique, so an id
 * resolves without a region; an alias needs one, and when the endpoint does not tell it
 * the alias must be unique among the caller's regions.
 */
export function lookUpAlibabaKmsKey(
  world: SimWorld,
  ref: string,
  caller: string,
  region: string | undefined,
): SimKey {
  const arn = ARN_RE.exec(ref);
  const account = arn ? arn[2]! : caller;
  const where = arn ? arn[1]! : region;
  if (arn?.[3] === 'key' || (!arn && !ref.startsWith('alias/'))) {
    const id = arn ? arn[4]! : ref;
    const key = world.keys.get(id);
    if (!key || key.account !== account || (where !== undefined && key.region !== where)) throw keyNotFound();
    return key;
  }
  const alias = arn ? `alias/${arn[4]!}` : ref;
  const matches = [...world.keys.values()].filter(
    (k) => k.account === account && k.aliases.includes(alias) && (where === undefined || k.region === where),
  );
  if (matches.length === 0) throw aliasNotFound();
  if (matches.length > 1) {
    throw new EcsApiError(
      400,
      'InvalidParameter',
      `The alias ${alias} exists in several regions and this endpoint does not name one: call kms.<region>.aliyuncs.com, pass RegionId, or use the key ARN.`,
    );
  }
  return matches[0]!;
}

/** A key the caller may describe: its own, or another account's that lets it in. */
function visibleKey(ctx: EcsOperationContext, ref: string): SimKey {
  const key = lookUpAlibabaKmsKey(
    ctx.state.world,
    ref,
    ctx.account.id,
    alibabaKmsRegion(ctx.params, ctx.host),
  );
  if (key.account !== ctx.account.id && !key.usableBy.has(ctx.account.id)) throw noPermission();
  return key;
}

/**
 * A stable version id per key [assumption: the simulator derives it from the key id; the
 * real service issues a UUID per key version].
 */
function primaryVersion(key: SimKey): string {
  const hex = Buffer.from(key.id).toString('hex').padEnd(32, '0').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The `KeyMetadata` KMS DescribeKey returns for a symmetric key. */
export function alibabaKeyMetadata(key: SimKey): Record<string, unknown> {
  const state = simKeyState(key);
  return {
    KeyId: key.id,
    Arn: key.arn,
    KeyState: state,
    KeyUsage: 'ENCRYPT/DECRYPT',
    KeySpec: 'Aliyun_AES_256',
    Origin: state === 'PendingImport' ? 'EXTERNAL' : 'Aliyun_KMS',
    ProtectionLevel: 'SOFTWARE',
    // Service keys are created by the service that uses them [assumption: ECS shows as `Ecs`].
    Creator: key.serviceKey ? 'Ecs' : key.account,
    CreationDate: ecsTime(key.createdAt ?? 0),
    Description: key.description ?? '',
    DeletionProtection: 'Disabled',
    AutomaticRotation: 'Disabled',
    PrimaryKeyVersion: primaryVersion(key),
    ...(state === 'PendingDeletion' && key.deletionDate !== undefined
      ? { DeleteDate: ecsTime(key.deletionDate) }
      : {}),
  };
}

/**
 * DescribeKey: the key's metadata in every state (KMS: "Impact of CMK status on API
 * operations" lists DescribeKey as succeeding in all of them). An unknown key is
 * `Forbidden.KeyNotFound`, an unknown alias `Forbidden.AliasNotFound`, another account's
 * key the caller may not use `Forbidden.NoPermission`.
 */
export const describeAlibabaKey: EcsOperation = (ctx) => {
  const key = visibleKey(ctx, ctx.params.require('KeyId'));
  return { KeyMetadata: alibabaKeyMetadata(key) };
};

/** `PageNumber` (from 1) and `PageSize` (1–100, default 10), as KMS list operations take them. */
function paging(params: EcsParams): { readonly pageNumber: number; readonly pageSize: number } {
  const pageNumber = params.int('PageNumber', 1, Number.MAX_SAFE_INTEGER) ?? 1;
  const pageSize = params.int('PageSize', 1, 100) ?? 10;
  return { pageNumber, pageSize };
}

function aliasPage(
  params: EcsParams,
  entries: ReadonlyArray<{ readonly name: string; readonly key: SimKey }>,
): Record<string, unknown> {
  const { pageNumber, pageSize } = paging(params);
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = sorted.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return {
    TotalCount: sorted.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    Aliases: {
      Alias: page.map(({ name, key }) => ({
        KeyId: key.id,
        AliasName: name,
        AliasArn: alibabaAliasArn(key, name),
      })),
    },
  };
}

/**
 * ListAliases: the caller's aliases in the region of the endpoint, service key aliases
 * (`alias/acs/…`) included, a page at a time. With a bare local endpoint (no region) it
 * lists every region's, each alias ARN naming its region.
 */
export const listAlibabaAliases: EcsOperation = (ctx) => {
  const region = alibabaKmsRegion(ctx.params, ctx.host);
  const entries: { name: string; key: SimKey }[] = [];
  for (const key of ctx.state.world.keys.values()) {
    if (key.account !== ctx.account.id || (region !== undefined && key.region !== region)) continue;
    for (const name of key.aliases) entries.push({ name, key });
  }
  return aliasPage(ctx.params, entries);
};

/** ListAliasesByKeyId: the aliases of one of the caller's keys (id or ARN). */
export const listAlibabaAliasesByKeyId: EcsOperation = (ctx) => {
  const key = visibleKey(ctx, ctx.params.require('KeyId'));
  if (key.account !== ctx.account.id) throw noPermission();
  return aliasPage(
    ctx.params,
    key.aliases.map((name) => ({ name, key })),
  );
};

/** The KMS actions the simulator serves. */
export const ALIBABA_KMS_OPERATIONS: Readonly<Record<string, EcsOperation>> = Object.freeze({
  DescribeKey: describeAlibabaKey,
  ListAliases: listAlibabaAliases,
  ListAliasesByKeyId: listAlibabaAliasesByKeyId,
});

/** KMS's flow-control error. */
export const alibabaKmsThrottled = () =>
  new EcsApiError(400, 'Throttling', 'Request was denied due to request throttling.');

/** KMS's internal error (its public error codes: `InternalFailure`, HTTP 500). */
export const alibabaKmsInternal = () => new EcsApiError(500, 'InternalFailure', 'Internal Failure.');
