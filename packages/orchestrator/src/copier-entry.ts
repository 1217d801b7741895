import type { SnapshotCopier } from '@snapcopy/core';
import { type BatchCopier, batchCopier, type CopyKind } from './copy-kind.js';
import type { CopierEntry } from './types.js';

/** The copiers of one name by kind: what runs its snapshot requests and its image requests. */
export type CopiersByKind = Readonly<Partial<Record<CopyKind, BatchCopier>>>;

/** A copier as given to the orchestrator (a bare `SnapshotCopier`) as an entry. */
export function copierEntryOf(value: SnapshotCopier | CopierEntry): CopierEntry {
  // A copier has methods; an entry holds copiers.
  const entry: CopierEntry =
    typeof (value as Partial<SnapshotCopier>).copy === 'function'
      ? { copier: value as SnapshotCopier }
      : (value as CopierEntry);
  if (entry.copier === undefined && entry.imageCopier === undefined) {
    throw new TypeError('a copier entry needs a copier (snapshots), an imageCopier (images), or both');
  }
  if (
    entry.copier !== undefined &&
    entry.imageCopier !== undefined &&
    entry.copier.provider !== entry.imageCopier.provider
  ) {
    throw new TypeError(
      `a copier entry is one provider: its copier is ${entry.copier.provider}, its imageCopier ${entry.imageCopier.provider}`,
    );
  }
  return entry;
}

/** An entry's copiers as the orchestrator drives them, by kind. */
export function kindCopiersOf(entry: CopierEntry): CopiersByKind {
  return {
    ...(entry.copier ? { snapshot: batchCopier('snapshot', entry.copier) } : {}),
    ...(entry.imageCopier ? { image: batchCopier('image', entry.imageCopier) } : {}),
  };
}

/** The provider an entry's copiers belong to. */
export function entryProvider(entry: CopierEntry): string {
  return (entry.copier ?? entry.imageCopier)!.provider;
}

/**
 * The concurrency limit per destination region of an entry's copies of `kind`: the entry's
 * override for that kind, else the kind's manifest, else `unknown` when it declares none (0).
 */
export function entryConcurrencyLimit(
  entry: CopierEntry,
  kinds: CopiersByKind,
  kind: CopyKind,
  unknown: number,
) {
  const declared = kinds[kind]?.capabilities.maxConcurrentCopiesPerRegion ?? 0;
  const override =
    kind === 'image' ? entry.maxConcurrentImageCopiesPerRegion : entry.maxConcurrentCopiesPerRegion;
  return Math.max(1, override ?? (declared > 0 ? declared : unknown));
}
