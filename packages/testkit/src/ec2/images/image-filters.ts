import type { SimWorld } from '../../sim/world.js';
import { ec2Errors } from '../errors.js';
import type { Ec2Filter } from '../query-params.js';
import { isExactValue, valueMatcher } from '../snapshot-filters.js';
import { xmlTimestamp } from '../xml.js';
import type { Ec2BlockDevice, Ec2Image } from './image-model.js';
import { deviceEncrypted, imageLocation } from './image-view.js';

type Values = string | readonly string[] | undefined;
type Field = (image: Ec2Image, world: SimWorld) => Values;

const ebs = (image: Ec2Image): Ec2BlockDevice[] =>
  image.blockDevices.filter((d) => d.snapshotId !== undefined);

/** DescribeImages filters the simulator answers (a mapping filter matches when any mapping does). */
const FIELD: Record<string, Field> = {
  architecture: (i) => i.architecture,
  'block-device-mapping.delete-on-termination': (i) =>
    ebs(i).map((d) => String(d.deleteOnTermination ?? true)),
  'block-device-mapping.device-name': (i) => i.blockDevices.map((d) => d.deviceName),
  'block-device-mapping.encrypted': (i, w) => ebs(i).map((d) => String(deviceEncrypted(w, d) ?? false)),
  'block-device-mapping.snapshot-id': (i) => ebs(i).map((d) => d.snapshotId!),
  'block-device-mapping.volume-size': (i) =>
    ebs(i).flatMap((d) => (d.volumeSizeGiB !== undefined ? [String(d.volumeSizeGiB)] : [])),
  'block-device-mapping.volume-type': (i) => ebs(i).map((d) => d.volumeType ?? 'gp3'),
  'creation-date': (i) => xmlTimestamp(i.createdAt),
  description: (i) => i.description,
  hypervisor: () => 'xen',
  'image-id': (i) => i.id,
  'image-type': () => 'machine',
  'is-public': (i) => String(i.public),
  'manifest-location': (i) => imageLocation(i),
  name: (i) => i.name,
  'owner-alias': (i) => i.ownerAlias,
  'owner-id': (i) => i.account,
  'root-device-name': (i) => i.rootDeviceName,
  'root-device-type': (i) => i.rootDeviceType,
  'source-image-id': (i) => i.copy?.sourceImageId,
  'source-image-region': (i) => i.copy?.sourceRegion,
  state: (i) => i.state,
  'state-reason-code': (i) => i.stateReason?.code,
  'state-reason-message': (i) => i.stateReason?.message,
  'virtualization-type': () => 'hvm',
};

/** The filter names DescribeImages accepts here (plus `tag:<key>`). */
export const IMAGE_FILTER_NAMES: readonly string[] = [...Object.keys(FIELD), 'tag-key'];

/**
 * Compiles `Filter.N` of DescribeImages into one predicate: filters AND'ed, values OR'ed,
 * `*`/`?` wildcards; an unknown name is `InvalidParameterValue`.
 */
export function compileImageFilters(
  filters: readonly Ec2Filter[],
  world: SimWorld,
): (image: Ec2Image) => boolean {
  const tests = filters.map((f): ((image: Ec2Image) => boolean) => {
    const exact = f.values.every(isExactValue) ? new Set(f.values) : undefined;
    const matchers = exact ? [] : f.values.map(valueMatcher);
    const one = (v: string | undefined) =>
      v !== undefined && (exact ? exact.has(v) : matchers.some((m) => m(v)));
    const any = (v: Values) => (typeof v === 'string' || v === undefined ? one(v) : v.some(one));
    if (f.name.startsWith('tag:')) {
      const key = f.name.slice(4);
      return (i) => i.tags.has(key) && one(i.tags.get(key));
    }
    if (f.name === 'tag-key') return (i) => [...i.tags.keys()].some(one);
    const field = FIELD[f.name];
    if (!field) throw ec2Errors.invalidParameterValue(`The filter '${f.name}' is invalid`);
    return (i) => any(field(i, world));
  });
  return (image) => tests.every((t) => t(image));
}
