/**
 * One copy of the source volume's lineage in the destination, as DescribeSnapshots shows it
 * (found by snapcopy's lineage tag), reduced to what the incremental rule reads.
 */
export interface AwsLineageCopy {
  readonly id: string;
  /** snapcopy's client-token tag. */
  readonly clientToken?: string;
  /** `pending`/`completed` as EC2 says; `failed` for `error` (a failed copy is no copy). */
  readonly state: 'completed' | 'pending' | 'failed';
  /** snapcopy is deleting it (cancelled): EC2 removes a pending copy when it completes. */
  readonly deleting: boolean;
  /** In the archive storage tier. */
  readonly archived: boolean;
  /** `CompletionTime`, epoch ms, for a completed copy. */
  readonly completedAt?: number;
  /** `StartTime`, epoch ms. */
  readonly startedAt?: number;
  readonly encrypted: boolean;
  /** `KmsKeyId` as DescribeSnapshots shows it (a key ARN). */
  readonly kmsKeyArn?: string;
  /** The key snapcopy's lineage tag recorded (as the plan that made the copy named it). */
  readonly taggedKey?: string;
  /** snapcopy's next-copy tag: the client token of a copy made after this one, in this region. */
  readonly nextCopyToken?: string;
  /** snapcopy's source-snapshot and source-region tags: what this copy was made from. */
  readonly sourceSnapshotId?: string;
  readonly sourceRegion?: string;
}

/** The most recent copy of a lineage in a region: there is none, it was deleted, or it is there. */
export type AwsMostRecentCopy =
  | { readonly kind: 'none' }
  | { readonly kind: 'deleted'; readonly copy: string }
  | { readonly kind: 'present'; readonly copy: AwsLineageCopy };

/** Completed copies in completion order, then pending ones (they complete later) in start order. */
function order(a: AwsLineageCopy, b: AwsLineageCopy): number {
  if (a.state !== b.state) return a.state === 'completed' ? -1 : 1;
  const at = (a.state === 'completed' ? a.completedAt : undefined) ?? a.startedAt ?? 0;
  const bt = (b.state === 'completed' ? b.completedAt : undefined) ?? b.startedAt ?? 0;
  return at - bt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Which copy of the lineage in the destination is the most recent, from the copies
 * DescribeSnapshots shows. The EBS User Guide ("Copy an Amazon EBS snapshot", incremental
 * snapshot copying) makes a later copy incremental only while the most recent copy still
 * exists: "if the most recent snapshot copy was deleted, the next copy is a full copy".
 * A deleted snapshot no longer shows, so snapcopy tags each copy, when a later one is made
 * in its region, with that copy's client token (`snapcopy:next-copy`): the most recent copy
 * shown, whose next copy is nowhere to be seen, was followed by one since deleted.
 * - Failed copies never complete and do not count.
 * - A pending copy completes after every completed one; the new copy builds on it.
 * - A copy snapcopy is deleting (cancelled) counts as deleted.
 * Pure.
 */
export function mostRecentAwsCopy(copies: readonly AwsLineageCopy[]): AwsMostRecentCopy {
  const live = copies.filter((c) => c.state !== 'failed').sort(order);
  const latest = live.at(-1);
  if (latest === undefined) return { kind: 'none' };
  let recent: AwsLineageCopy = latest;
  const seen = new Set<string>([recent.id]);
  while (recent.nextCopyToken !== undefined) {
    const token: string = recent.nextCopyToken;
    const later: AwsLineageCopy[] = copies.filter((c) => c.clientToken === token);
    if (later.length === 0) return { kind: 'deleted', copy: `the copy with client token ${token}` };
    const next: AwsLineageCopy | undefined = later
      .filter((c) => c.state !== 'failed')
      .sort(order)
      .at(-1);
    if (next === undefined || seen.has(next.id)) break;
    seen.add(next.id);
    recent = next;
  }
  if (recent.deleting) return { kind: 'deleted', copy: recent.id };
  return { kind: 'present', copy: recent };
}

/** The copies that count as present: not failed, not being deleted. */
export function presentAwsCopies(copies: readonly AwsLineageCopy[]): AwsLineageCopy[] {
  return copies.filter((c) => c.state !== 'failed' && !c.deleting);
}

/**
 * The copy a new copy of the lineage follows: the latest present copy (completed, or
 * pending), which snapcopy tags with the new copy's client token. Pure.
 */
export function latestPresentAwsCopy(copies: readonly AwsLineageCopy[]): AwsLineageCopy | undefined {
  return presentAwsCopies(copies).sort(order).at(-1);
}
