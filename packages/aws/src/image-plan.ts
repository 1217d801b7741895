import { type BackingSnapshotPlan, type ImageCopyPlan, isSnapcopyError } from '@snapcopy/core';
import {
  definedFields,
  imageLineageTags,
  imageSnapshotLineageTags,
  type NormalizedImageCopyRequest,
  totalOfSnapshots,
  sourceImageFacts,
} from '@snapcopy/core/driver';
import type { AwsBackingSnapshotFacts, AwsImagePlanFacts } from './image-plan-facts.js';
import { readSourceImage } from './image-view.js';
import { decideAwsSnapshotCopy, kmsCharges } from './plan.js';
import type { AwsPlanFacts } from './plan-facts.js';
import { awsImageCopyRefusal } from './rules/image-copy.js';
import { resolveAwsImageTags } from './rules/image-tags.js';
import { type AwsImageTimeBasedCopy, planAwsImageTimeBasedCopy } from './rules/image-time-based.js';
import { checkAwsKey } from './rules/index.js';

/** A backing snapshot the caller can read, with the snapshot plan's facts. */
type ReadableBacking = AwsBackingSnapshotFacts & { source: NonNullable<AwsBackingSnapshotFacts['source']> };

/** The facts a snapshot plan of this backing snapshot would decide from. */
function snapshotPlanFacts(facts: AwsImagePlanFacts, s: ReadableBacking): AwsPlanFacts {
  return {
    snapshot: s.snapshot ?? {},
    source: s.source,
    ownership: facts.ownership,
    defaults: facts.defaults,
    keys: s.keys ?? {},
    ...definedFields({ lineage: s.lineage, delta: s.delta }),
  };
}

/**
 * One backing snapshot with the snapshot rules applied (`decideAwsSnapshotCopy`): the
 * encryption outcome the guide's copying scenarios give it with its keys checked through
 * KMS, and full or incremental over its lineage in the destination, billed on its changed
 * blocks when counted.
 */
function planBackingSnapshot(
  request: NormalizedImageCopyRequest,
  facts: AwsImagePlanFacts,
  snapshot: ReadableBacking,
  timeBased: boolean,
): BackingSnapshotPlan {
  const { source } = snapshot;
  const decided = decideAwsSnapshotCopy(request, snapshotPlanFacts(facts, snapshot), timeBased);
  const { transfer, encryption } = decided;
  return {
    deviceName: snapshot.deviceName,
    source,
    encryption,
    transfer: transfer.transfer,
    sizeBasis: transfer.sizeBasis,
    billableGiB: transfer.billableGiB,
    ...(transfer.delta === undefined ? {} : { delta: transfer.delta }),
    kms: kmsCharges(encryption),
    reasons: [...decided.reasons, ...transfer.reasons],
  };
}

/**
 * Whether the caller may use a backing snapshot's own key, from what KMS said: `false` when
 * the key's policy refuses this account (the AMI guide: a cross-account copy needs access to
 * the keys of the encrypted snapshots), `undefined` when not known (KMS not read or not
 * readable). Any other unusable key is the snapshot key rule's refusal, made per snapshot.
 */
function sourceKeyUsable(s: AwsBackingSnapshotFacts): boolean | undefined {
  const key = s.keys?.source;
  if (key === undefined) return undefined;
  try {
    return checkAwsKey({ role: 'source', ...key }).key.checkedBy === 'kms' ? true : undefined;
  } catch (err) {
    return isSnapcopyError(err) && err.details?.rule === 'key-usable-by-account' ? false : undefined;
  }
}

function timeBasedReasons(t: AwsImageTimeBasedCopy): string[] {
  return [
    `time-based copy: each of the ${t.snapshotCopies} backing snapshots is copied within ${t.completionDurationMinutes} minutes (at least ${t.minimumMinutes} for the largest)`,
    `each backing snapshot is one time-based snapshot copy and draws on the account's cumulative time-based copy throughput between the two Regions (${t.throughputMiBps.join(' + ')} MiB/s); AWS slows the copy when less is left and refuses it when none is`,
  ];
}

/**
 * Decides one AMI copy from the facts read first ({@link AwsImagePlanFacts}): the guide's
 * refusals (`awsImageCopyRefusal`), then for each backing snapshot the snapshot rules
 * (encryption outcome, full or incremental, billable GiB), the time-based limits per
 * snapshot, and the tags of the AMI and its snapshots. Pure; throws the rules' errors.
 */
export function decideAwsImagePlan(
  request: NormalizedImageCopyRequest,
  facts: AwsImagePlanFacts,
): ImageCopyPlan {
  const { image, ownership } = facts;
  const source = sourceImageFacts(request.source, ownership, readSourceImage(image));
  const refused = awsImageCopyRefusal({
    imageId: request.source.imageId,
    state: image.State ?? 'unknown',
    rootDeviceType: source.rootDeviceType,
    // DescribeImages names the Outpost of each snapshot of an AMI that lives on one.
    onOutpost: (image.BlockDeviceMappings ?? []).some((m) => m.Ebs?.OutpostArn !== undefined),
    ownership,
    ...(request.encryption === undefined ? {} : { requested: request.encryption }),
    backingSnapshots: facts.snapshots.map((s) => ({
      snapshotId: s.snapshotId,
      readable: s.source !== undefined,
      ...(s.source === undefined ? {} : { encrypted: s.source.encrypted }),
      ...definedFields({ keyUsable: sourceKeyUsable(s) }),
    })),
  });
  if (refused) throw refused;
  const readable = facts.snapshots.filter((s): s is ReadableBacking => s.source !== undefined);
  const timeBased =
    request.completionDurationMinutes === undefined
      ? undefined
      : planAwsImageTimeBasedCopy(
          request.completionDurationMinutes,
          readable.map((s) => s.source.sizeGiB),
        );
  const snapshots = readable.map((s) => planBackingSnapshot(request, facts, s, timeBased !== undefined));
  const tags = resolveAwsImageTags({
    sourceTags: source.tags,
    ownership,
    copySourceTags: request.copySourceTags === true,
    imageTags: request.tags ?? {},
    snapshotTags: request.snapshotTags ?? {},
    imageLineage: imageLineageTags(request, snapshots),
    snapshotLineage: imageSnapshotLineageTags(request),
  });
  const destinationAccount =
    request.destination.account ?? (ownership === 'owned' ? source.ownerAccount : undefined);
  const reasons = [
    ownership === 'shared'
      ? `the AMI is shared with you by account ${source.ownerAccount ?? request.source.account ?? '(unknown)'}: a cross-account copy (the copy is yours; the owner's backing snapshots must be shared with you too)`
      : 'the AMI is your own',
    source.rootDeviceType === 'instance-store'
      ? 'instance store-backed: no snapshots to copy (its S3 bundle is copied; storage in S3 is billed by S3, not estimated here)'
      : `${snapshots.length} backing snapshot${snapshots.length === 1 ? '' : 's'}, each copied by the snapshot rules below`,
    tags.carriedFromSource.length > 0
      ? `CopyImageTags carries ${tags.carriedFromSource.length} of the source's tags (${tags.carriedFromSource.join(', ')})`
      : request.copySourceTags === true
        ? "CopyImageTags carries none of the source's tags (none is yours to copy: system tags and other accounts' tags stay behind)"
        : "the source AMI's tags are not copied (copySourceTags not asked)",
    ...(timeBased ? timeBasedReasons(timeBased) : []),
  ];
  return {
    provider: 'aws',
    request,
    source,
    destination: {
      region: request.destination.region,
      ...(destinationAccount === undefined ? {} : { account: destinationAccount }),
    },
    snapshots,
    ...totalOfSnapshots(snapshots),
    tags,
    ...(timeBased === undefined
      ? {}
      : {
          timeBased: {
            completionDurationMinutes: timeBased.completionDurationMinutes,
            minimumMinutes: timeBased.minimumMinutes,
            snapshotCopies: timeBased.snapshotCopies,
          },
        }),
    reasons,
  };
}
