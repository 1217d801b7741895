import type { SimVolume } from '../../sim/world.js';
import { ec2Errors } from '../errors.js';
import { VOLUME_ID_RE } from '../ids.js';
import type { QueryParams } from '../query-params.js';
import type { Ec2RequestContext } from '../state.js';
import { xmlElement, xmlTagSet, xmlTimestamp } from '../xml.js';

type Field = (v: SimVolume, tags: ReadonlyMap<string, string>) => string | undefined;
const FIELDS: Record<string, Field> = {
  'volume-id': (v) => v.id,
  size: (v) => String(v.sizeGiB),
  encrypted: (v) => String(v.encrypted),
  status: () => 'available',
  'volume-type': () => 'gp3',
  'availability-zone': (v) => `${v.region}a`,
};

/**
 * DescribeVolumes, briefly: volumes are fixtures (every one `available`, `gp3`, not
 * attached); ids, the filters above plus `tag:<key>`/`tag-key`, and paging by offset.
 */
export function describeVolumes(ctx: Ec2RequestContext, p: QueryParams): string {
  const { world, volumeMeta } = ctx.state;
  const ids = p.list('VolumeId');
  const filters = p.filters();
  const maxResults = p.int('MaxResults');
  const nextToken = p.get('NextToken');
  if (ids.length > 0 && (maxResults !== undefined || nextToken !== undefined)) {
    throw ec2Errors.invalidParameterCombination(
      'The parameter VolumeIds cannot be used with the parameter MaxResults',
    );
  }
  if (maxResults !== undefined && maxResults < 5) {
    throw ec2Errors.invalidParameterValue(`Value ( ${maxResults} ) for parameter maxResults is invalid.`);
  }
  for (const id of ids) if (!VOLUME_ID_RE.test(id)) throw ec2Errors.volumeMalformed(id);
  const mine = (v: SimVolume | undefined): v is SimVolume =>
    !!v && v.region === ctx.region && v.account === ctx.account;
  if (ids.length > 0) {
    const missing = ids.filter((id) => !mine(world.volumes.get(id)));
    if (missing.length > 0) throw ec2Errors.volumeNotFound(missing);
  }
  const tests = filters.map((f) => {
    const any = (x: string | undefined) => x !== undefined && f.values.includes(x);
    if (f.name.startsWith('tag:')) {
      const key = f.name.slice(4);
      return (_v: SimVolume, t: ReadonlyMap<string, string>) => any(t.get(key));
    }
    if (f.name === 'tag-key')
      return (_v: SimVolume, t: ReadonlyMap<string, string>) => [...t.keys()].some(any);
    const field = FIELDS[f.name];
    if (!field) throw ec2Errors.invalidParameterValue(`The filter '${f.name}' is invalid`);
    return (v: SimVolume, t: ReadonlyMap<string, string>) => any(field(v, t));
  });
  const source = ids.length > 0 ? ids.map((id) => world.volumes.get(id)) : [...world.volumes.values()];
  const found = source.filter(mine).filter((v) => {
    const tags = volumeMeta.get(v.id)?.tags ?? new Map<string, string>();
    return tests.every((t) => t(v, tags));
  });
  let page = found;
  let next: string | undefined;
  if (maxResults !== undefined || nextToken !== undefined) {
    const offset =
      nextToken === undefined ? 0 : Number.parseInt(Buffer.from(nextToken, 'base64url').toString(), 10);
    if (!Number.isInteger(offset) || offset < 0 || offset > found.length) throw ec2Errors.invalidNextToken();
    const size = Math.min(maxResults ?? 1000, 1000);
    page = found.slice(offset, offset + size);
    if (offset + size < found.length) next = Buffer.from(String(offset + size)).toString('base64url');
  }
  const items = page.map((v) => {
    const meta = volumeMeta.get(v.id);
    return (
      xmlElement('volumeId', v.id) +
      xmlElement('size', v.sizeGiB) +
      xmlElement('snapshotId', '') +
      xmlElement('availabilityZone', `${v.region}a`) +
      xmlElement('status', 'available') +
      xmlElement('createTime', xmlTimestamp(meta?.createdAt ?? 0)) +
      '<attachmentSet/>' +
      xmlElement('volumeType', 'gp3') +
      xmlElement('iops', 3000) +
      xmlElement('throughput', 125) +
      xmlElement('encrypted', v.encrypted) +
      (v.encrypted ? xmlElement('kmsKeyId', v.kmsKeyId) : '') +
      (meta && meta.tags.size > 0 ? xmlTagSet(meta.tags) : '') +
      xmlElement('multiAttachEnabled', false)
    );
  });
  const set =
    items.length === 0
      ? '<volumeSet/>'
      : `<volumeSet>${items.map((i) => `<item>${i}</item>`).join('')}</volumeSet>`;
  return set + xmlElement('nextToken', next);
}
