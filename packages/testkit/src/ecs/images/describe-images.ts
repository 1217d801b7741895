import type { EcsOperationContext } from '../operation-context.js';
import { EcsApiError, ecsErrors } from '../rpc-errors.js';
import { parseEcsFilterTime } from '../time-format.js';
import type { EcsImage, EcsImageStatus } from './ecs-image-model.js';
import { imageRegion } from './image-lifecycle.js';
import { imageToWire } from './image-wire.js';
import { tagPredicates } from '../validation.js';

type Predicate = (image: EcsImage) => boolean;

const STATUSES: readonly EcsImageStatus[] = [
  'Creating',
  'Waiting',
  'Available',
  'UnAvailable',
  'CreateFailed',
  'Deprecated',
];
const OWNER_ALIASES: ReadonlySet<string> = new Set(['system', 'self', 'others', 'marketplace']);
const invalidParamter = () => new EcsApiError(400, 'InvalidParamter', 'Invalid Parameter.');

/** `Status`: comma-separated, default `Available`; `ALL` alone means every status. */
function statusTest(raw: string | undefined): Predicate {
  const values = (raw ?? 'Available').split(',').map((v) => v.trim());
  if (values.includes('ALL')) {
    if (values.length > 1) throw invalidParamter();
    return () => true;
  }
  for (const v of values) if (!STATUSES.includes(v as EcsImageStatus)) throw invalidParamter();
  return (i) => values.includes(i.status);
}

/** Who the caller sees: its own images (`self`), shared and community ones (`others`), or all. */
function ownerTest(ctx: EcsOperationContext): Predicate {
  const p = ctx.params;
  const me = ctx.account.id;
  const alias = p.get('ImageOwnerAlias') || undefined;
  const isPublic = p.bool('IsPublic');
  const ownerId = p.get('ImageOwnerId') || undefined;
  if (alias !== undefined && !OWNER_ALIASES.has(alias)) {
    throw new EcsApiError(
      400,
      'InvalidImageOwnerAlias.ValueNotSupported',
      'The specified ImageOwnerAlias value is not supported.',
    );
  }
  if (isPublic === true && alias !== 'others') {
    throw new EcsApiError(
      400,
      'InvalidImageOwnerAlias.PublicImageUnsupported',
      'When querying images, the parameter ImageOwnerAlias should be others while specified parameter IsPublic is true.',
    );
  }
  if (ownerId !== undefined && alias !== 'others') {
    throw new EcsApiError(
      400,
      'InvalidOperation.ImageOwnerIdUnsupported',
      'The parameter "ImageOwnerId" is not supported in this context, it is only valid when querying shared images or community images.',
    );
  }
  const shared = (i: EcsImage) => i.account !== me && i.sharedWith.has(me);
  const community = (i: EcsImage) => i.account !== me && i.isPublic;
  switch (alias) {
    case 'self':
      return (i) => i.account === me;
    case 'others':
      return (i) =>
        (isPublic === true ? community(i) : shared(i)) && (ownerId === undefined || i.account === ownerId);
    case 'system':
    case 'marketplace':
      return () => false;
    default:
      return (i) => i.account === me || shared(i) || community(i);
  }
}

function readFilters(ctx: EcsOperationContext): Predicate[] {
  const p = ctx.params;
  const preds: Predicate[] = [statusTest(p.get('Status') || undefined), ownerTest(ctx)];
  const ids = p.get('ImageId');
  if (ids) {
    const wanted = new Set(ids.split(',').map((v) => v.trim()));
    preds.push((i) => wanted.has(i.id));
  }
  const name = p.get('ImageName');
  if (name) preds.push((i) => i.name.includes(name));
  const snapshotId = p.get('SnapshotId');
  if (snapshotId) preds.push((i) => i.disks.some((d) => d.snapshotId === snapshotId));
  const group = p.get('ResourceGroupId');
  if (group) preds.push((i) => i.resourceGroupId === group);
  const usage = p.get('Usage');
  if (usage) {
    if (usage !== 'instance' && usage !== 'none')
      throw new EcsApiError(404, 'InvalidUsage', 'The specified Usage is not valid.');
    preds.push(() => usage === 'none');
  }
  const osType = p.get('OSType');
  if (osType) {
    if (osType !== 'linux' && osType !== 'windows')
      throw new EcsApiError(404, 'InvalidOSType', 'The specified OSType is not valid.');
    preds.push((i) => i.osType === osType);
  }
  const architecture = p.get('Architecture');
  if (architecture) {
    if (!['i386', 'x86_64', 'arm64'].includes(architecture)) {
      throw new EcsApiError(404, 'InvalidArchitecture', 'The specified Architecture is not valid.');
    }
    preds.push((i) => i.architecture === architecture);
  }
  preds.push(...tagPredicates(p, 'The specified tags are beyond the permitted range.'));
  for (const { fields } of p.structs('Filter')) {
    const value = fields.Value ?? '';
    if (fields.Key === 'NetworkType') {
      if (value !== 'vpc' && value !== 'classic') {
        throw new EcsApiError(
          400,
          'InvalidFilterValue.NetworkType',
          'The specified networkType value in the Filter is invalid.',
        );
      }
      continue;
    }
    if (fields.Key !== 'CreationStartTime' && fields.Key !== 'CreationEndTime') {
      throw new EcsApiError(404, 'InvalidFilterKey.NotFound', 'The specified Filter Key is not found.');
    }
    const at = parseEcsFilterTime(value);
    if (at === undefined)
      throw new EcsApiError(404, 'InvalidFilterValue', 'The specified Filter Value is not valid.');
    preds.push(fields.Key === 'CreationStartTime' ? (i) => i.createdAt >= at : (i) => i.createdAt <= at);
  }
  return preds;
}

/**
 * DescribeImages in `RegionId`: `Status` (default `Available`), `ImageId` (comma-separated),
 * `ImageOwnerAlias`/`IsPublic`/`ImageOwnerId`, `ImageName` (substring), `SnapshotId`,
 * `Tag.N`, `Filter.N` (creation time, network type), `ResourceGroupId`, `Usage`,
 * `OSType`, `Architecture`; newest first, `PageNumber`/`PageSize` (1–100, default 10).
 */
export function describeImages(ctx: EcsOperationContext): Record<string, unknown> {
  const region = imageRegion(ctx);
  const p = ctx.params;
  const preds = readFilters(ctx);
  const pageNumber = p.int('PageNumber', 1, 1_000_000_000, () => ecsErrors.invalid('PageNumber')) ?? 1;
  const pageSize =
    p.int('PageSize', 1, 100, () => ecsErrors.invalid('PageSize', 'must be an integer from 1 to 100')) ?? 10;
  if (p.bool('DryRun') === true) {
    throw new EcsApiError(400, 'DryRunOperation', 'Request validation has been passed with DryRun flag set.');
  }
  const matching = [...ctx.state.images.images.values()]
    .filter((i) => i.region === region && preds.every((f) => f(i)))
    .reverse();
  const page = matching.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return {
    RegionId: region,
    TotalCount: matching.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    Images: { Image: page.map((i) => imageToWire(ctx.state.world, i, ctx.account.id)) },
  };
}
