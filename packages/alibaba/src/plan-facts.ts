import { SnapcopyError } from '@snapcopy/core';
import { LINEAGE_TAGS, type NormalizedCopyRequest, readByRegion, readPerGroup } from '@snapcopy/core/driver';
import { ECS_PAGE_SIZE, type EcsCalls } from './calls.js';
import type { AlibabaKmsCalls } from './kms-calls.js';
import { checkSourceAndEncryption } from './plan.js';
import { ALIBABA_DEFAULT_SERVICE_KEY, type AlibabaEncryptionResolution } from './rules/encryption.js';
import type { AlibabaKeyRead } from './rules/keys.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';
import type { EcsSnapshot } from './snapshot-view.js';
import { listByTagValues } from './tag-listing.js';

/** The key a copy will be encrypted under, and what KMS said about it. */
export interface AlibabaKeyFact {
  readonly reference: string;
  /** The destination region, where the key must be. */
  readonly region: string;
  readonly read: AlibabaKeyRead;
  /** KMS answered another DescribeKey of this account in the region: a refusal is the key's own. */
  readonly kmsReadable: boolean;
}

/** Everything an ECS plan decides from, read before the transfer rule is applied. */
export interface AlibabaPlanFacts {
  /** The source snapshot as DescribeSnapshots returned it. */
  readonly source: EcsSnapshot;
  /** Earlier finished copies of the source disk's lineage in the destination. */
  readonly earlierCopies: readonly EcsSnapshot[];
  /** The encryption rule's answer, already applied to refuse early (see below). */
  readonly encryption: AlibabaEncryptionResolution;
  /** KMS DescribeKey of the copy's key (the given key, or the ECS service key), when encrypted. */
  readonly key?: AlibabaKeyFact;
}

/** The calls a plan reads with. */
export interface AlibabaPlanReaders {
  readonly ecs: EcsCalls;
  readonly kms: AlibabaKmsCalls;
  /** Pages of 100 read per lineage when looking up earlier copies. */
  readonly maxLineagePages: number;
}

function notFound(req: NormalizedCopyRequest): SnapcopyError {
  return new SnapcopyError(
    'NOT_FOUND',
    `snapshot ${req.source.snapshotId} was not found in ${req.source.region}`,
    { provider: ALIBABA_PROVIDER, providerCode: 'InvalidSnapshotId.NotFound' },
  );
}

/** The snapshots `refs` name, by region then id: 100 ids per DescribeSnapshots call, the calls at once. */
export function snapshotsById(
  calls: EcsCalls,
  refs: readonly { readonly region: string; readonly id: string }[],
  signal?: AbortSignal,
): Promise<Map<string, Map<string, EcsSnapshot>>> {
  return readByRegion(refs, ECS_PAGE_SIZE, async (region, snapshotIds) => {
    const { snapshots } = await calls.describeSnapshots(region, { snapshotIds }, signal);
    return snapshots.flatMap((s) => (s.snapshotId ? [[s.snapshotId, s] as const] : []));
  });
}

/** The key an encrypted copy uses: the given one, else the ECS service key of the destination. */
function copyKeyReference(
  req: NormalizedCopyRequest,
  encryption: AlibabaEncryptionResolution,
): string | undefined {
  if (!encryption.encryption.encrypted) return undefined;
  return req.encryption?.kmsKeyId ?? ALIBABA_DEFAULT_SERVICE_KEY;
}

/**
 * KMS DescribeKey of the keys copies will be encrypted under (`undefined` for an unencrypted
 * copy), each key once per destination region. A refusal is the key's own only when KMS
 * answers this account otherwise in that region (a second look at the service key tells);
 * else KMS is taken as unreadable there.
 */
export async function describeCopyKeysOnce(
  kms: AlibabaKmsCalls,
  wanted: readonly ({ readonly region: string; readonly reference: string } | undefined)[],
  signal?: AbortSignal,
): Promise<(AlibabaKeyFact | undefined)[]> {
  const keyId = (k: { region: string; reference: string }) => `${k.region}\u0000${k.reference}`;
  const distinct = [
    ...new Map(wanted.flatMap((k) => (k === undefined ? [] : [[keyId(k), k] as const]))).values(),
  ];
  const readsList = await Promise.all(distinct.map((k) => kms.describeKey(k.region, k.reference, signal)));
  const reads = new Map(distinct.map((k, i) => [keyId(k), readsList[i]!]));
  const readable = new Map<string, boolean>();
  for (const region of new Set(distinct.map((k) => k.region))) {
    const here = distinct.filter((k) => k.region === region).map((k) => reads.get(keyId(k))!);
    if (!here.some((r) => r.kind === 'denied')) continue;
    let answered = here.some((r) => r.kind !== 'denied');
    if (!answered) {
      const probe =
        reads.get(keyId({ region, reference: ALIBABA_DEFAULT_SERVICE_KEY })) ??
        (await kms.describeKey(region, ALIBABA_DEFAULT_SERVICE_KEY, signal));
      answered = probe.kind !== 'denied';
    }
    readable.set(region, answered);
  }
  return wanted.map((k) =>
    k === undefined
      ? undefined
      : { ...k, read: reads.get(keyId(k))!, kmsReadable: readable.get(k.region) ?? true },
  );
}

/**
 * Reads what ECS plans need, for many requests at once, sharing the reads they have in
 * common: the sources (100 ids a DescribeSnapshots call per region), each key once (KMS
 * DescribeKey in the destination region), and the earlier copies of every lineage in a
 * destination (by snapcopy's lineage tag, several disks in one listing where that is
 * cheaper). A request the source or the encryption rule refuses costs no further read.
 * Returns, per request, its facts or its own error; throws when a shared read fails.
 */
export async function readAlibabaPlanFacts(
  readers: AlibabaPlanReaders,
  requests: readonly NormalizedCopyRequest[],
  signal?: AbortSignal,
): Promise<Array<AlibabaPlanFacts | SnapcopyError>> {
  const { ecs, kms } = readers;
  const out: Array<AlibabaPlanFacts | SnapcopyError> = new Array(requests.length);
  const sources = await snapshotsById(
    ecs,
    requests.map((r) => ({ region: r.source.region, id: r.source.snapshotId })),
    signal,
  );

  const live: {
    index: number;
    req: NormalizedCopyRequest;
    source: EcsSnapshot;
    encryption: AlibabaEncryptionResolution;
  }[] = [];
  requests.forEach((req, index) => {
    const source = sources.get(req.source.region)?.get(req.source.snapshotId);
    if (!source) {
      out[index] = notFound(req);
      return;
    }
    try {
      live.push({ index, req, source, encryption: checkSourceAndEncryption(req, source) });
    } catch (err) {
      out[index] = err as SnapcopyError;
    }
  });

  const keys = await describeCopyKeysOnce(
    kms,
    live.map((f) => {
      const reference = copyKeyReference(f.req, f.encryption);
      return reference === undefined ? undefined : { region: f.req.destination.region, reference };
    }),
    signal,
  );

  const lineages = await readPerGroup(
    live.filter((f) => f.source.sourceDiskId),
    (f) => f.req.destination.region,
    (region, list) =>
      listByTagValues(
        ecs,
        region,
        LINEAGE_TAGS.sourceVolume,
        list.map((f) => f.source.sourceDiskId!),
        { status: 'accomplished', maxPages: readers.maxLineagePages },
        signal,
      ),
  );

  live.forEach((f, i) => {
    const region = f.req.destination.region;
    const disk = f.source.sourceDiskId;
    const key = keys[i];
    out[f.index] = {
      source: f.source,
      earlierCopies: disk ? (lineages.get(region)?.get(disk) ?? []) : [],
      encryption: f.encryption,
      ...(key === undefined ? {} : { key }),
    };
  });
  return out;
}
