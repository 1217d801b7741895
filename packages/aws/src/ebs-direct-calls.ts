import { SnapcopyError } from '@snapcopy/core';
import { timeAwsCall } from './call-report.js';
import { mapAwsError } from './error-mapping.js';
import { type AwsServiceClients, loadEbsSdk } from './service-clients.js';

/** The most blocks one ListChangedBlocks page returns (EBS direct APIs reference). */
export const LIST_CHANGED_BLOCKS_PAGE = 10_000;

/** What counting the changed blocks between two snapshots came to. */
export type ChangedBlocksRead =
  | { readonly kind: 'counted'; readonly blocks: number; readonly blockSizeBytes: number }
  | { readonly kind: 'unmeasured'; readonly why: string };

interface SdkError {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly Reason?: unknown;
}

/** Refusals that say the pair cannot be compared (gone, unrelated, unreadable): a fact, not a failure. */
const UNMEASURABLE = new Set(['ValidationException', 'ResourceNotFoundException', 'AccessDeniedException']);

/**
 * The EBS direct APIs call a plan makes: ListChangedBlocks between the snapshot the most
 * recent copy was made from and the source, in the source's region, counted page by page.
 */
export class EbsDirectCalls {
  readonly #clients: AwsServiceClients;

  constructor(clients: AwsServiceClients) {
    this.#clients = clients;
  }

  /**
   * Counts the blocks that differ between `first` and `second` (both in `region`), reading
   * at most `maxPages` pages of {@link LIST_CHANGED_BLOCKS_PAGE}. A pair the service will
   * not compare (a snapshot gone, of another lineage, not readable by this account or its
   * key) is `unmeasured`, with the service's words.
   */
  async countChangedBlocks(
    region: string,
    first: string,
    second: string,
    maxPages: number,
    signal?: AbortSignal,
  ): Promise<ChangedBlocksRead> {
    try {
      const [sdk, client] = await Promise.all([loadEbsSdk(), this.#clients.ebs(region)]);
      let blocks = 0;
      let blockSizeBytes = 0;
      let next: string | undefined;
      for (let page = 0; page < maxPages; page++) {
        const res = await timeAwsCall('ListChangedBlocks', region, () =>
          client.send(
            new sdk.ListChangedBlocksCommand({
              FirstSnapshotId: first,
              SecondSnapshotId: second,
              MaxResults: LIST_CHANGED_BLOCKS_PAGE,
              ...(next === undefined ? {} : { NextToken: next }),
            }),
            signal ? { abortSignal: signal } : {},
          ),
        );
        if (res.ChangedBlocks === undefined || !res.BlockSize) {
          throw new SnapcopyError(
            'PROVIDER_ERROR',
            `aws: ListChangedBlocks in ${region}: the endpoint did not answer like the EBS direct APIs; check the endpoint`,
            { provider: 'aws', retryable: true, providerCode: 'MalformedReply' },
          );
        }
        blocks += res.ChangedBlocks.length;
        blockSizeBytes = res.BlockSize;
        next = res.NextToken || undefined;
        if (next === undefined) return { kind: 'counted', blocks, blockSizeBytes };
      }
      return {
        kind: 'unmeasured',
        why: `more than ${maxPages * LIST_CHANGED_BLOCKS_PAGE} blocks changed (${maxPages} pages of ListChangedBlocks read)`,
      };
    } catch (err) {
      const e = (typeof err === 'object' && err !== null ? err : {}) as SdkError;
      if (typeof e.name === 'string' && UNMEASURABLE.has(e.name)) {
        const reason = typeof e.Reason === 'string' ? ` ${e.Reason}` : '';
        const message = typeof e.message === 'string' ? e.message : 'no message';
        return { kind: 'unmeasured', why: `ListChangedBlocks answered ${e.name}${reason}: ${message}` };
      }
      throw mapAwsError(err, { operation: 'ListChangedBlocks', region });
    }
  }
}
