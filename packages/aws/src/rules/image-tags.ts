import { type FieldIssue, type PlannedImageTags, RESERVED_TAG_PREFIX } from '@snapcopy/core';
import { throwIfIssues } from '@snapcopy/core/driver';
import { AWS_TAG_LIMITS } from './validation.js';

// Tags of an AMI copy, from the CopyImage API reference
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopyImage.html):
// - `CopyImageTags` carries the source AMI's user-defined tags, never system tags (`aws:`),
//   and from a public or shared AMI never the tags other accounts attached, except those
//   under `ec2:SharedTag/`;
// - `TagSpecification` tags the new AMI (`image`) and, with the same tags for every one, the
//   new snapshots (`snapshot`);
// - the user guide ("Copy an Amazon EC2 AMI") adds that without `CopyImageTags` no
//   user-defined tag of the source is copied.

/** The prefix under which an AMI owner's tags can be copied by the accounts it shares with. */
export const AWS_SHARED_TAG_PREFIX = 'ec2:SharedTag/';

/** What the tags of an AMI copy depend on. */
export interface AwsImageTagsInput {
  /** The source AMI's tags, as the caller sees them. */
  readonly sourceTags: Readonly<Record<string, string>>;
  readonly ownership: 'owned' | 'shared';
  /** `ImageCopyRequest.copySourceTags`. */
  readonly copySourceTags: boolean;
  /** The caller's tags for the AMI and for its snapshots. */
  readonly imageTags: Readonly<Record<string, string>>;
  readonly snapshotTags: Readonly<Record<string, string>>;
  /** snapcopy's lineage tags for the AMI and for each snapshot. */
  readonly imageLineage: Readonly<Record<string, string>>;
  readonly snapshotLineage: Readonly<Record<string, string>>;
}

/** The keys `CopyImageTags` carries from the source AMI. */
export function awsTagsCarriedByCopy(
  sourceTags: Readonly<Record<string, string>>,
  ownership: 'owned' | 'shared',
): string[] {
  return Object.keys(sourceTags).filter(
    (key) =>
      !key.toLowerCase().startsWith('aws:') &&
      (ownership === 'owned' || key.startsWith(AWS_SHARED_TAG_PREFIX)),
  );
}

/**
 * Every tag the new AMI and each of its snapshots will carry. Pure. Throws
 * `INVALID_REQUEST` when carried tags would exceed AWS's 50 tags per resource, or when the
 * source carries snapcopy's own tags (it is itself a snapcopy copy): carrying them would
 * mislabel the copy (its token, its source, or a cancel mark).
 */
export function resolveAwsImageTags(input: AwsImageTagsInput): PlannedImageTags {
  const carriedFromSource = input.copySourceTags
    ? awsTagsCarriedByCopy(input.sourceTags, input.ownership)
    : [];
  const issues: FieldIssue[] = [];
  const own = carriedFromSource.filter((k) => k.startsWith(RESERVED_TAG_PREFIX));
  if (own.length > 0) {
    issues.push({
      path: 'copySourceTags',
      message: `the source AMI carries snapcopy's own tags (${own.join(', ')}): copy it without copySourceTags, and tag the copy yourself`,
    });
  }
  const image: Record<string, string> = {};
  for (const key of carriedFromSource) image[key] = input.sourceTags[key] ?? '';
  // TagSpecification tags are applied after the carried ones: the caller's (and snapcopy's) win.
  Object.assign(image, input.imageTags, input.imageLineage);
  const snapshots = { ...input.snapshotTags, ...input.snapshotLineage };
  if (Object.keys(image).length > AWS_TAG_LIMITS.maxTags) {
    issues.push({
      path: 'tags',
      message: `the copy would carry ${Object.keys(image).length} tags (${carriedFromSource.length} from the source AMI); AWS allows ${AWS_TAG_LIMITS.maxTags} per AMI`,
    });
  }
  if (Object.keys(snapshots).length > AWS_TAG_LIMITS.maxTags) {
    issues.push({ path: 'snapshotTags', message: `AWS allows ${AWS_TAG_LIMITS.maxTags} tags per snapshot` });
  }
  throwIfIssues(issues, 'aws');
  return { image, snapshots, carriedFromSource };
}
