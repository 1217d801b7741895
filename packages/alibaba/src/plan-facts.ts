import { LINEAGE_TAGS, type NormalizedCopyRequest, SnapcopyError } from '@snapcopy/core';
import type { EcsCalls } from './calls.js';
import { checkSourceAndEncryption } from './plan.js';
import type { AlibabaEncryptionResolution } from './rules/encryption.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';
import type { EcsSnapshot } from './snapshot-view.js';

/** Everything an ECS plan decides from, read before the transfer rule is applied. */
export interface AlibabaPlanFacts {
  /** The source snapshot as DescribeSnapshots returned it. */
  readonly source: EcsSnapshot;
  /** Earlier finished copies of the source disk's lineage in the destination. */
  readonly earlierCopies: readonly EcsSnapshot[];
  /** The encryption rule's answer, already applied to refuse early (see below). */
  readonly encryption: AlibabaEncryptionResolution;
}

/** Earlier finished copies of a disk's lineage in `region`, found by snapcopy's lineage tag. */
export async function readLineageCopies(
  calls: EcsCalls,
  region: string,
  diskId: string,
  maxPages: number,
  signal?: AbortSignal,
): Promise<EcsSnapshot[]> {
  const out: EcsSnapshot[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await calls.describeSnapshots(
      region,
      {
        status: 'accomplished',
        tags: { [LINEAGE_TAGS.sourceVolume]: diskId },
        ...(nextToken ? { nextToken } : {}),
      },
      signal,
    );
    out.push(...res.snapshots);
    nextToken = res.nextToken;
    if (!nextToken) break;
  }
  return out;
}

/**
 * Reads what an ECS plan needs: the source snapshot, then (unless the source or the
 * encryption rule already refuse the request: the lineage would not change the answer)
 * the earlier copies of its disk's lineage in the destination. Read calls only.
 */
export async function readAlibabaPlanFacts(
  calls: EcsCalls,
  req: NormalizedCopyRequest,
  maxLineagePages: number,
  signal?: AbortSignal,
): Promise<AlibabaPlanFacts> {
  const { snapshots } = await calls.describeSnapshots(
    req.source.region,
    { snapshotIds: [req.source.snapshotId] },
    signal,
  );
  const source = snapshots.find((s) => s.snapshotId === req.source.snapshotId);
  if (!source) {
    throw new SnapcopyError(
      'NOT_FOUND',
      `snapshot ${req.source.snapshotId} was not found in ${req.source.region}`,
      {
        provider: ALIBABA_PROVIDER,
        providerCode: 'InvalidSnapshotId.NotFound',
      },
    );
  }
  const encryption = checkSourceAndEncryption(req, source);
  const earlierCopies = source.sourceDiskId
    ? await readLineageCopies(calls, req.destination.region, source.sourceDiskId, maxLineagePages, signal)
    : [];
  return { source, earlierCopies, encryption };
}
