import {
  type CopyListPage,
  type CopyListQuery,
  type ListCopiesOptions,
  type ListedCopy,
  SnapcopyError,
} from '@snapcopy/core';
import type { ListFlags } from '../cli-flags.js';
import { regionOfCopies } from '../configured-regions.js';
import { openCopier, openImageCopier, providerFromFlags } from '../connect.js';
import { EXIT_CODES } from '../exit-codes.js';
import { withInterrupt } from '../interrupt.js';
import { ref } from '../output/format.js';
import { Output } from '../output/output-mode.js';
import { rowsTable } from '../output/tables.js';

type Ref = { readonly region: string; readonly snapshotId?: string; readonly imageId?: string };
type Paginate = (query: CopyListQuery, options?: ListCopiesOptions) => AsyncIterable<CopyListPage<Ref>>;

/** The paginator of the copier the flags name: snapshot copies, or image copies with `--image`. */
async function paginatorFor(flags: ListFlags, provider: string): Promise<Paginate> {
  const copier = flags.image === true ? await openImageCopier(flags) : await openCopier(flags);
  const paginate = copier.paginateListCopies?.bind(copier) as Paginate | undefined;
  if (paginate === undefined) {
    throw new SnapcopyError('UNSUPPORTED', `${provider}: this copier cannot list copies`);
  }
  return paginate;
}

/**
 * `snapcopy list`: the copies snapcopy made in one region, by lineage (source, client
 * token, batch, policy), with their state, read page by page with the copier's paginator;
 * snapshot copies, or image copies with `--image`.
 */
export async function run(flags: ListFlags): Promise<number> {
  const output = Output.for(flags);
  const provider = providerFromFlags(flags);
  const region = await regionOfCopies(provider, flags);
  const paginate = await paginatorFor(flags, provider);
  const query = {
    region,
    ...(flags.source === undefined ? {} : { sourceId: flags.source }),
    ...(flags.sourceRegion === undefined ? {} : { sourceRegion: flags.sourceRegion }),
    ...(flags.clientToken === undefined ? {} : { clientToken: flags.clientToken }),
    ...(flags.batch === undefined ? {} : { batchId: flags.batch }),
    ...(flags.policy === undefined ? {} : { policy: flags.policy }),
  };
  const copies: ListedCopy<Ref>[] = [];
  let pages = 0;
  await withInterrupt(async (signal) => {
    for await (const page of paginate(query, {
      signal,
      ...(flags.maxPages === undefined ? {} : { maxPages: flags.maxPages }),
    })) {
      pages += 1;
      copies.push(...page.copies);
      output.info(`page ${pages}: ${page.copies.length} cop${page.copies.length === 1 ? 'y' : 'ies'}`);
    }
  });
  output.document({ ok: true, region, query, pages, copies });
  const rows = copies.map((c) => [
    ref(c.ref.region, c.ref.snapshotId ?? c.ref.imageId ?? '?'),
    c.state === 'pending' ? `pending ${Math.floor(c.progress)}%` : c.state,
    c.source.id === undefined ? '-' : ref(c.source.region ?? '?', c.source.id),
    c.clientToken,
    c.batchId ?? c.policy ?? '',
    c.startedAt ?? '',
  ]);
  if (output.mode === 'tty')
    output.line(
      rowsTable(output.mode, ['copy', 'state', 'source', 'client token', 'batch/policy', 'started'], rows),
    );
  else for (const row of rows) output.line(row.filter((c) => c !== '').join('  '));
  const what = flags.image === true ? 'image copy' : 'copy';
  if (copies.length === 0) output.info(`no ${what} made by snapcopy matches in ${region}`);
  return EXIT_CODES.success;
}
