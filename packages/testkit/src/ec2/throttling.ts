import { TokenBucket } from '../sim/faults.js';

/** Size and refill rate of one EC2 request-rate token bucket. */
export interface Ec2BucketSize {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

/*
 * EC2 request-rate limits, per account, per region, per API action ("Request token
 * bucket sizes and refill rates", https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html):
 *   Non-mutating actions (Describe*, Get*)                   100 tokens, refill 20/s
 *   Unfiltered and unpaginated non-mutating actions          50 tokens, refill 10/s
 *     (DescribeSnapshots, DescribeVolumes and DescribeImages among them, when called with
 *     neither a filter nor pagination)
 *   Mutating actions (CopySnapshot, CopyImage fall here)     50 tokens, refill 5/s
 *   Uncategorized: CreateTags 100/10, DeleteTags 100/10, DeleteSnapshot 100/5
 */
const NON_MUTATING: Ec2BucketSize = { capacity: 100, refillPerSecond: 20 };
const UNFILTERED_NON_MUTATING: Ec2BucketSize = { capacity: 50, refillPerSecond: 10 };
const MUTATING: Ec2BucketSize = { capacity: 50, refillPerSecond: 5 };

/** Bucket per action (the key `<Action>:unfiltered` is the small bucket of unfiltered Describes). */
export const EC2_THROTTLE_BUCKETS: Readonly<Record<string, Ec2BucketSize>> = Object.freeze({
  CopySnapshot: MUTATING,
  CreateTags: { capacity: 100, refillPerSecond: 10 },
  DeleteTags: { capacity: 100, refillPerSecond: 10 },
  DeleteSnapshot: { capacity: 100, refillPerSecond: 5 },
  DescribeSnapshots: NON_MUTATING,
  'DescribeSnapshots:unfiltered': UNFILTERED_NON_MUTATING,
  DescribeVolumes: NON_MUTATING,
  'DescribeVolumes:unfiltered': UNFILTERED_NON_MUTATING,
  GetEbsEncryptionByDefault: NON_MUTATING,
  GetEbsDefaultKmsKeyId: NON_MUTATING,
  CopyImage: MUTATING,
  DeregisterImage: MUTATING,
  ModifyImageAttribute: MUTATING,
  DescribeImages: NON_MUTATING,
  'DescribeImages:unfiltered': UNFILTERED_NON_MUTATING,
  DescribeImageAttribute: NON_MUTATING,
  DescribeSnapshotAttribute: NON_MUTATING,
});

/** Describe actions with a smaller bucket when called with neither a filter nor pagination. */
const UNFILTERED_BUCKET_ACTIONS: ReadonlySet<string> = new Set([
  'DescribeSnapshots',
  'DescribeVolumes',
  'DescribeImages',
]);

/** The bucket an action draws from; describes without filter or pagination use the small one. */
export function throttleBucketName(action: string, filteredOrPaginated: boolean): string {
  if (UNFILTERED_BUCKET_ACTIONS.has(action) && !filteredOrPaginated) {
    return `${action}:unfiltered`;
  }
  return action;
}

/** Per account, region and action token buckets in the simulator's (virtual) time. */
export class Ec2Throttle {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #sizes: Readonly<Record<string, Ec2BucketSize>>;

  constructor(overrides: Readonly<Record<string, Ec2BucketSize>> = {}) {
    this.#sizes = { ...EC2_THROTTLE_BUCKETS, ...overrides };
  }

  /** Takes a token; false means the caller must get `RequestLimitExceeded`. */
  take(account: string, region: string, bucketName: string, now: number): boolean {
    const size = this.#sizes[bucketName] ?? MUTATING;
    const key = `${account}/${region}/${bucketName}`;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(size.capacity, size.refillPerSecond, now);
      this.#buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  /** Refills every bucket (forgets them). */
  reset(): void {
    this.#buckets.clear();
  }
}
