import { readFileSync } from 'node:fs';
import { SnapcopyError, type SnapshotCopier, type SnapshotRef } from '@snapcopy/core';
import type { CopyRefFlags } from './cli-flags.js';
import { regionOfCopies } from './configured-regions.js';
import { openCopier, providerFromFlags } from './connect.js';

/** Copies named on the command line, and the provider a handle file names (if any). */
export interface CopyRefs {
  readonly refs: SnapshotRef[];
  readonly provider?: string;
}

function fromHandleFile(path: string): CopyRefs {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not JSON';
    throw new SnapcopyError('INVALID_REQUEST', `--handle ${path}: ${why}`);
  }
  // `copy --json` prints { handle: {...}, ... }; a bare handle works too.
  const handle = (typeof doc === 'object' && doc !== null && 'handle' in doc ? doc.handle : doc) as Record<
    string,
    unknown
  >;
  if (typeof handle?.region !== 'string' || typeof handle.snapshotId !== 'string') {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `--handle ${path}: expected the output of "snapcopy copy --json"`,
    );
  }
  return {
    refs: [{ region: handle.region, snapshotId: handle.snapshotId }],
    ...(typeof handle.provider === 'string' ? { provider: handle.provider } : {}),
  };
}

/**
 * The copies a `status`/`wait`/`cancel` command is about: `--handle FILE`, or `--to`
 * with one or more `--snapshot`. `single` commands take exactly one.
 */
export function copyRefsFromFlags(flags: CopyRefFlags, single: boolean): CopyRefs {
  const snapshots = flags.snapshot ?? [];
  let result: CopyRefs;
  if (flags.handle !== undefined) {
    if (snapshots.length > 0)
      throw new SnapcopyError('INVALID_REQUEST', 'give either --handle or --snapshot, not both');
    result = fromHandleFile(flags.handle);
  } else {
    if (snapshots.length === 0)
      throw new SnapcopyError('INVALID_REQUEST', 'missing --snapshot <id> (or --handle <file>)');
    if (flags.to === undefined) {
      // openCopierForRefs fills it from the configured region first.
      throw new SnapcopyError('INVALID_REQUEST', 'missing --to <region>: the region the copy is in');
    }
    const region = flags.to;
    result = { refs: snapshots.map((snapshotId) => ({ region, snapshotId })) };
  }
  if (single && result.refs.length !== 1) {
    throw new SnapcopyError('INVALID_REQUEST', `expected one --snapshot, got ${result.refs.length}`);
  }
  return result;
}

/**
 * The copies a `status`/`wait`/`cancel` command is about, and a copier for their
 * provider: `--provider`, else the one the handle file names.
 */
export async function openCopierForRefs(
  flags: CopyRefFlags,
  single: boolean,
): Promise<{ refs: SnapshotRef[]; copier: SnapshotCopier }> {
  const { refs, provider } = copyRefsFromFlags(await withRegionOfCopies(flags, flags.snapshot), single);
  const copier = await openCopier({ ...flags, provider: flags.provider ?? provider });
  return { refs, copier };
}

/**
 * The flags with `--to` filled in when copies (`ids`, snapshots or images) are named
 * without it and without a handle: they are in the provider's configured region.
 */
export async function withRegionOfCopies<F extends CopyRefFlags>(
  flags: F,
  ids: readonly string[] | undefined,
): Promise<F> {
  if (flags.handle !== undefined || flags.to !== undefined || (ids ?? []).length === 0) return flags;
  return { ...flags, to: await regionOfCopies(providerFromFlags(flags), flags) };
}
