import { Ec2ApiError, ec2Errors } from '../errors.js';
import type { QueryParams } from '../query-params.js';
import type { Ec2RequestContext } from '../state.js';
import { xmlElement, xmlItemSet } from '../xml.js';
import { ownedImage } from './deregister-image.js';
import { imageErrors } from './image-errors.js';
import type { Ec2Image } from './image-model.js';
import { renderBlockDeviceMappings } from './image-view.js';

/** Entities one AMI can be shared with in a Region ("AMI quotas", adjustable). */
export const AMI_SHARING_LIMIT = 1000;

/** `ImageAttributeName` of the EC2 model. */
const ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  'description',
  'kernel',
  'ramdisk',
  'launchPermission',
  'productCodes',
  'blockDeviceMapping',
  'sriovNetSupport',
  'bootMode',
  'tpmSupport',
  'uefiData',
  'lastLaunchedTime',
  'imdsSupport',
  'deregistrationProtection',
]);

function renderLaunchPermissions(image: Ec2Image): string {
  const items = [...image.launchPermissions].map((u) => xmlElement('userId', u));
  if (image.public) items.push(xmlElement('group', 'all'));
  return xmlItemSet('launchPermission', items);
}

/**
 * DescribeImageAttribute of the caller's own AMI: `launchPermission` (account ids and the
 * group `all`), `description`, `blockDeviceMapping` and (always empty) `productCodes`;
 * the other attribute names of the model answer with the image id only.
 */
export function describeImageAttribute(ctx: Ec2RequestContext, p: QueryParams): string {
  const attribute = p.required('Attribute');
  if (!ATTRIBUTE_NAMES.has(attribute)) {
    throw ec2Errors.invalidParameterValue(
      `Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`,
    );
  }
  const image = ownedImage(ctx, p.required('ImageId'));
  const body =
    attribute === 'launchPermission'
      ? renderLaunchPermissions(image)
      : attribute === 'description'
        ? image.description === undefined
          ? '<description/>'
          : `<description>${xmlElement('value', image.description)}</description>`
        : attribute === 'blockDeviceMapping'
          ? renderBlockDeviceMappings(ctx.state.world, image)
          : attribute === 'productCodes'
            ? '<productCodes/>'
            : '';
  return xmlElement('imageId', image.id) + body;
}

interface PermissionChange {
  readonly users: string[];
  readonly groups: string[];
}

function permissionChange(p: QueryParams, prefix: string): PermissionChange {
  const change: PermissionChange = { users: [], groups: [] };
  for (const n of p.indexes(prefix)) {
    const user = p.get(`${prefix}.${n}.UserId`);
    const group = p.get(`${prefix}.${n}.Group`);
    if (user !== undefined) change.users.push(user);
    if (group !== undefined) change.groups.push(group);
  }
  return change;
}

function validate(change: PermissionChange): void {
  for (const u of change.users) if (!/^\d{12}$/.test(u)) throw imageErrors.attributeItemValue(u);
  for (const g of change.groups) {
    if (g !== 'all') throw ec2Errors.invalidParameterValue(`Invalid value '${g}' for group. Expected 'all'.`);
  }
}

/**
 * ModifyImageAttribute of the caller's own AMI: launch permissions in either form EC2
 * takes (`LaunchPermission.Add.N`/`.Remove.N` with `UserId` or `Group`, or
 * `Attribute=launchPermission` + `OperationType` + `UserId.N`/`UserGroup.N`), and the
 * description (`Description.Value`, or `Attribute=description` + `Value`). Adding the
 * owner itself changes nothing; more than {@link AMI_SHARING_LIMIT} accounts is refused.
 */
export function modifyImageAttribute(ctx: Ec2RequestContext, p: QueryParams): string {
  const image = ownedImage(ctx, p.required('ImageId'));
  if (image.state === 'deregistered') throw imageErrors.unavailable(image.id);
  const attribute = p.get('Attribute');
  const add = permissionChange(p, 'LaunchPermission.Add');
  const remove = permissionChange(p, 'LaunchPermission.Remove');
  const operation = p.get('OperationType');
  const listed = { users: p.list('UserId'), groups: p.list('UserGroup') };
  if (listed.users.length > 0 || listed.groups.length > 0) {
    if (attribute !== undefined && attribute !== 'launchPermission') {
      throw ec2Errors.invalidParameterCombination(
        'UserId and UserGroup apply to the launchPermission attribute.',
      );
    }
    if (operation !== 'add' && operation !== 'remove') throw ec2Errors.missingParameter('OperationType');
    const target = operation === 'add' ? add : remove;
    target.users.push(...listed.users);
    target.groups.push(...listed.groups);
  }
  const description =
    p.get('Description.Value') ?? (attribute === 'description' ? p.get('Value') : undefined);
  const touchesPermissions = [add, remove].some((c) => c.users.length + c.groups.length > 0);
  if (!touchesPermissions && description === undefined) throw ec2Errors.missingParameter('LaunchPermission');
  validate(add);
  validate(remove);
  const after = new Set(image.launchPermissions);
  for (const u of add.users) if (u !== image.account) after.add(u);
  for (const u of remove.users) after.delete(u);
  if (after.size > AMI_SHARING_LIMIT) {
    throw new Ec2ApiError(
      'ResourceLimitExceeded',
      `An AMI can be shared with at most ${AMI_SHARING_LIMIT} accounts in a Region.`,
    );
  }
  image.launchPermissions.clear();
  for (const u of after) image.launchPermissions.add(u);
  if (add.groups.length > 0) image.public = true;
  if (remove.groups.length > 0) image.public = false;
  if (description !== undefined) image.description = description;
  return xmlElement('return', true);
}
