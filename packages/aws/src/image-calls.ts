import type { CopyImageCommandInput, DescribeImagesCommandInput, Image } from '@aws-sdk/client-ec2';
import { SnapcopyError } from '@snapcopy/core';
import { MAX_PAGES, notEc2Reply, sendEc2 } from './calls.js';
import type { Ec2ClientPool } from './client-pool.js';

/**
 * The EC2 image calls the AMI adapter makes (CopyImage, DescribeImages, DeregisterImage;
 * tags and snapshots go through the snapshot adapter's calls), each one request with the
 * SDK's retries off, within the pool's request deadline or the caller's signal, and every
 * failure mapped onto snapcopy's closed set, as the snapshot calls are.
 */
export class Ec2ImageCalls {
  readonly #pool: Ec2ClientPool;

  constructor(pool: Ec2ClientPool) {
    this.#pool = pool;
  }

  /** Every AMI the request matches, following `NextToken` (bounded; never with `ImageIds`). */
  describeImages(region: string, input: DescribeImagesCommandInput, signal?: AbortSignal): Promise<Image[]> {
    const site = { region, operation: 'DescribeImages', mutating: false, signal };
    return sendEc2(this.#pool, site, async (sdk, client, within) => {
      const out: Image[] = [];
      let next: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await within((abortSignal) =>
          client.send(
            new sdk.DescribeImagesCommand(next === undefined ? input : { ...input, NextToken: next }),
            { abortSignal },
          ),
        );
        // EC2 always answers with an imagesSet (empty when nothing matches).
        if (res.Images === undefined) throw notEc2Reply('DescribeImages', region);
        out.push(...res.Images);
        next = res.NextToken || undefined;
        if (next === undefined) return out;
      }
      throw new Error(`DescribeImages returned more than ${MAX_PAGES} pages`);
    });
  }

  /** One page of DescribeImages (`MaxResults`/`NextToken` in `input`), with the next page's token. */
  describeImagesPage(
    region: string,
    input: DescribeImagesCommandInput,
    signal?: AbortSignal,
  ): Promise<{ images: Image[]; nextToken?: string }> {
    const site = { region, operation: 'DescribeImages', mutating: false, signal };
    return sendEc2(this.#pool, site, async (sdk, client, within) => {
      const res = await within((abortSignal) =>
        client.send(new sdk.DescribeImagesCommand(input), { abortSignal }),
      );
      if (res.Images === undefined) throw notEc2Reply('DescribeImages', region);
      return { images: res.Images, ...(res.NextToken ? { nextToken: res.NextToken } : {}) };
    });
  }

  /** Starts an AMI copy in `region` (the destination); returns the new AMI id. */
  copyImage(region: string, input: CopyImageCommandInput, signal?: AbortSignal): Promise<string> {
    const site = { region, operation: 'CopyImage', mutating: true, signal };
    return sendEc2(this.#pool, site, async (sdk, client, within) => {
      const res = await within((abortSignal) =>
        client.send(new sdk.CopyImageCommand(input), { abortSignal }),
      );
      if (!res.ImageId) {
        // The call may have been applied: a reply without the id is as good as a lost one.
        throw new SnapcopyError(
          'PROVIDER_ERROR',
          `aws: CopyImage in ${region}: the endpoint did not answer like EC2 (no image id); the copy may exist`,
          { provider: 'aws', retryable: true, ambiguous: true, providerCode: 'MalformedReply' },
        );
      }
      return res.ImageId;
    });
  }

  /**
   * Deregisters an AMI; with `deleteSnapshots`, its snapshots too (EC2 deletes finished ones
   * at once and snapshot copies still in progress when they complete).
   */
  deregisterImage(
    region: string,
    imageId: string,
    deleteSnapshots: boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    const site = { region, operation: 'DeregisterImage', mutating: true, signal };
    return sendEc2(this.#pool, site, async (sdk, client, within) => {
      await within((abortSignal) =>
        client.send(
          new sdk.DeregisterImageCommand({
            ImageId: imageId,
            ...(deleteSnapshots ? { DeleteAssociatedSnapshots: true } : {}),
          }),
          { abortSignal },
        ),
      );
    });
  }
}
