import type { EC2Client, Image, Snapshot } from '@aws-sdk/client-ec2';
import { type CallOptions, type ImageCopyPlan, isSnapcopyError, SnapcopyError } from '@snapcopy/core';
import {
  AbstractImageCopier,
  type CopyListFilter,
  IMAGE_LINEAGE_TAGS,
  type NormalizedImageCopyRequest,
  type ObservedCopy,
  throwIfIssues,
} from '@snapcopy/core/driver';
import { ec2CopyListInput, ec2CopyPage } from './copy-list-filters.js';
import { mapAwsError } from './error-mapping.js';
import { AWS_AMI_CAPABILITIES } from './image-capabilities.js';
import { copyImageInput } from './image-copy-params.js';
import { decideAwsImagePlan } from './image-plan.js';
import { readAwsImagePlanFacts } from './image-plan-facts.js';
import { backingDevices, observedImage } from './image-view.js';
import type { AwsEbsCopierOptions } from './options.js';
import { AwsConnections } from './connections.js';
import {
  validateAwsImageDescription,
  validateAwsImageId,
  validateAwsImageName,
} from './rules/image-validation.js';
import { validateAwsTags } from './rules/index.js';

/** Options of {@link createAwsImageCopier}: the same as the snapshot copier's. */
export type AwsImageCopierOptions = AwsEbsCopierOptions;

/**
 * An `ImageCopier` over EC2 AMIs (`@aws-sdk/client-ec2`, loaded on first use). The copy
 * protocol is core's; this class makes the EC2 calls it needs:
 *
 * - CopyImage is sent to the destination Region's client with EC2's own `ClientToken`
 *   (a retry with the same token returns the same AMI) and snapcopy's lineage tags on the
 *   AMI, so that the token is also found by a `tag:` lookup;
 * - status asks about up to 200 AMIs per Region in one DescribeImages call (an `image-id`
 *   filter: one unknown id in `ImageIds` would fail the whole call), then, for the AMIs
 *   still pending, their backing snapshot copies in one DescribeSnapshots call per 200
 *   snapshots (EC2 gives no progress for an AMI);
 * - cancel tags the AMI `snapcopy:cancelled=true` and deregisters it with
 *   `DeleteAssociatedSnapshots` (the user guide's way to stop a pending copy);
 * - plans read what snapshot plans read, per backing snapshot: its keys through KMS
 *   DescribeKey and, for an incremental copy, its changed blocks through ListChangedBlocks.
 */
export class AwsEc2ImageCopier extends AbstractImageCopier {
  readonly #aws: AwsConnections;

  constructor(options: AwsImageCopierOptions = {}) {
    super('aws', AWS_AMI_CAPABILITIES, options);
    this.#aws = new AwsConnections(options);
  }

  /** Escape hatch: the SDK client this copier uses for `region`. Its retries are off. */
  nativeClient(region: string): Promise<EC2Client> {
    return this.#aws.client(region);
  }

  /** Closes the SDK clients' sockets. The copier can still be used; clients are made again. */
  destroy(): void {
    this.#aws.destroy();
  }

  /** A copy's id named in status, wait or cancel: an AMI id. */
  protected override _validateCopyId(id: string, path: string) {
    throwIfIssues(validateAwsImageId(id, path), 'aws');
  }

  /** The AMI id, name, description and tags, before any call. */
  protected override _validate(request: NormalizedImageCopyRequest) {
    throwIfIssues(
      [
        ...validateAwsImageId(request.source.imageId),
        ...(request.name === undefined ? [] : validateAwsImageName(request.name)),
        ...(request.description === undefined ? [] : validateAwsImageDescription(request.description)),
      ],
      'aws',
    );
    validateAwsTags(request.tags ?? {}, 'tags');
    validateAwsTags(request.snapshotTags ?? {}, 'snapshotTags');
  }

  protected override async _plan(request: NormalizedImageCopyRequest, options: CallOptions) {
    return decideAwsImagePlan(
      request,
      await readAwsImagePlanFacts(this.#aws.readers, request, options.signal),
    );
  }

  protected override async _findByToken(region: string, token: string, options: CallOptions) {
    const found = await this.#aws.calls.describe(
      'DescribeImages',
      region,
      { Owners: ['self'], Filters: [{ Name: `tag:${IMAGE_LINEAGE_TAGS.clientToken}`, Values: [token] }] },
      options.signal,
    );
    return found.map((image) => observedImage(region, image));
  }

  /**
   * One page of the caller's AMIs in `region` matching the filter (`tag:KEY` and `tag-key`
   * filters, 1,000 a page): the AMI copies snapcopy made, for `listCopies`; the pending
   * ones with their backing snapshot copies' progress (one more call per 200 snapshots).
   */
  protected override async _listCopies(
    region: string,
    filter: CopyListFilter,
    nextToken: string | undefined,
    options: CallOptions,
  ) {
    const input = { Owners: ['self'], ...ec2CopyListInput(filter, nextToken) };
    const page = await this.#aws.calls.describePage('DescribeImages', region, input, options.signal);
    // The progress of the AMIs still pending, from their backing snapshot copies, as status reads it.
    const snapshots = await this.#snapshotsOf(region, page.items, options.signal);
    return ec2CopyPage(page, (image) => observedImage(region, image, snapshots));
  }

  protected override _startCopy(
    request: NormalizedImageCopyRequest,
    plan: ImageCopyPlan,
    options: CallOptions,
  ) {
    return this.#aws.calls.copyImage(
      request.destination.region,
      copyImageInput(request, plan),
      options.signal,
    );
  }

  /** The backing snapshot copies of the AMIs still pending, for their progress. */
  async #snapshotsOf(region: string, images: readonly Image[], signal?: AbortSignal) {
    const refs = images
      .filter((i) => i.State === 'pending')
      .flatMap((i) => backingDevices(i).map((d) => ({ region, id: d.snapshotId })));
    return (
      (await this.#aws.calls.snapshotsById(refs, 'self', signal)).get(region) ?? new Map<string, Snapshot>()
    );
  }

  protected override async _describe(region: string, ids: readonly string[], options: CallOptions) {
    const images = await this.#aws.calls.describe(
      'DescribeImages',
      region,
      { Owners: ['self'], Filters: [{ Name: 'image-id', Values: [...ids] }] },
      options.signal,
    );
    const snapshots = await this.#snapshotsOf(region, images, options.signal);
    return images.map((image) => observedImage(region, image, snapshots));
  }

  protected override async _delete(copy: ObservedCopy, options: CallOptions) {
    const gone = () =>
      new SnapcopyError('NOT_FOUND', `aws: ${copy.id} is already deregistered in ${copy.region}`, {
        provider: 'aws',
        providerCode: 'InvalidAMIID.Unavailable',
      });
    // EC2 shows a deregistered AMI for a while; deregistering it again is refused.
    if (copy.rawState === 'deregistered') throw gone();
    try {
      await this.#aws.calls.deregisterImage(copy.region, copy.id, true, options.signal);
    } catch (err) {
      if (isSnapcopyError(err) && err.providerCode === 'InvalidAMIID.Unavailable') throw gone();
      throw err;
    }
  }

  protected override _tagCopy(
    copy: ObservedCopy,
    tags: Readonly<Record<string, string>>,
    options: CallOptions,
  ) {
    return this.#aws.calls.tagResource(copy.region, copy.id, tags, options.signal);
  }

  protected override _absentMessage(region: string, id: string) {
    return `${id} no longer exists in ${region} (deregistered, or never an AMI of this account)`;
  }

  protected override _mapError(err: unknown) {
    return isSnapcopyError(err) ? err : mapAwsError(err);
  }
}

/**
 * Creates an AWS AMI copier. Synchronous and cheap: the AWS SDK is loaded, and each
 * region's client created, only when a call first needs them.
 */
export function createAwsImageCopier(options: AwsImageCopierOptions = {}): AwsEc2ImageCopier {
  return new AwsEc2ImageCopier(options);
}
