import { Ec2ApiError } from '../errors.js';
import { IMAGE_ID_RE } from '../ids.js';
import type { QueryParams } from '../query-params.js';
import type { Ec2RequestContext } from '../state.js';
import { xmlElement, xmlItemSet } from '../xml.js';
import { compileImageFilters } from './image-filters.js';
import { imageErrors } from './image-errors.js';
import { canLaunch, type Ec2Image } from './image-model.js';
import { renderImageItem } from './image-view.js';
import { readPaging } from '../page-tokens.js';

/** `MaxResults` bounds, as for EC2's other paginated Describe calls: below 5 refused, above 1000 capped. */
export const DESCRIBE_IMAGES_MIN_RESULTS = 5;
export const DESCRIBE_IMAGES_MAX_RESULTS = 1000;

const OWNER_ALIASES: ReadonlySet<string> = new Set(['amazon', 'aws-marketplace', 'aws-backup-vault']);
const ACCOUNT_RE = /^\d{12}$/;

const invalidUser = (v: string) => new Ec2ApiError('InvalidUserID.Malformed', `Invalid user id: "${v}"`);

function ownerTest(owners: readonly string[], caller: string): (i: Ec2Image) => boolean {
  for (const o of owners)
    if (o !== 'self' && !OWNER_ALIASES.has(o) && !ACCOUNT_RE.test(o)) throw invalidUser(o);
  return (i) =>
    owners.some((o) =>
      o === 'self' ? i.account === caller : OWNER_ALIASES.has(o) ? i.ownerAlias === o : i.account === o,
    );
}

/**
 * `ExecutableBy.N`: `all` scopes to public AMIs, `self` (or the caller's id) and other
 * account ids to AMIs with an explicit launch permission for that account.
 */
function executableTest(users: readonly string[], caller: string): (i: Ec2Image) => boolean {
  for (const u of users) if (u !== 'self' && u !== 'all' && !ACCOUNT_RE.test(u)) throw invalidUser(u);
  return (i) =>
    users.some((u) => (u === 'all' ? i.public : i.launchPermissions.has(u === 'self' ? caller : u)));
}

/**
 * DescribeImages in the caller's region: `ImageId.N` (an unknown id fails the call with
 * `InvalidAMIID.NotFound`; ones the caller cannot launch are left out), `Owner.N`,
 * `ExecutableBy.N`, `Filter.N` and `MaxResults`/`NextToken` (not with ids). Without
 * scoping it lists what the caller owns, what is shared with it and public AMIs.
 * Deregistered AMIs still show for a while, with state `deregistered`.
 */
export function describeImages(ctx: Ec2RequestContext, p: QueryParams): string {
  const { state, account, region } = ctx;
  const { images, world } = state;
  const ids = p.list('ImageId');
  const owners = p.list('Owner');
  const executableBy = p.list('ExecutableBy');
  const filters = p.filters();
  const { maxResults, nextToken } = readPaging(p, 'ImageIds', ids.length > 0, DESCRIBE_IMAGES_MIN_RESULTS);
  p.bool('IncludeDeprecated');
  p.bool('IncludeDisabled');
  for (const id of ids) if (!IMAGE_ID_RE.test(id)) throw imageErrors.malformed(id);
  const missing = ids.filter((id) => images.images.get(id)?.region !== region);
  if (missing.length > 0) throw imageErrors.notFound(missing);

  const tests = [
    (i: Ec2Image) => i.region === region && canLaunch(i, account),
    ...(owners.length > 0 ? [ownerTest(owners, account)] : []),
    ...(executableBy.length > 0 ? [executableTest(executableBy, account)] : []),
    ...(filters.length > 0 ? [compileImageFilters(filters, world)] : []),
  ];
  const matches = (i: Ec2Image) => tests.every((t) => t(i));
  const collect = (): Ec2Image[] => {
    if (ids.length > 0) {
      return [...new Set(ids)].flatMap((id) => {
        const i = images.images.get(id);
        return i && matches(i) ? [i] : [];
      });
    }
    return [...images.images.values()].filter(matches);
  };
  const render = (list: readonly Ec2Image[]) =>
    xmlItemSet(
      'imagesSet',
      list.map((i) => renderImageItem(world, i)),
    );

  if (maxResults === undefined && nextToken === undefined) return render(collect());
  const pageSize = Math.min(maxResults ?? DESCRIBE_IMAGES_MAX_RESULTS, DESCRIBE_IMAGES_MAX_RESULTS);
  const query = JSON.stringify(['DescribeImages', region, owners, executableBy, filters]);
  const page = state.pages.next(nextToken, account, query, pageSize, () => collect().map((i) => i.id));
  const list = page.ids.flatMap((id) => images.images.get(id) ?? []);
  return render(list) + xmlElement('nextToken', page.nextToken);
}
