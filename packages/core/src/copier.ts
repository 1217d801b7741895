import type { CopyListPage, CopyListQuery, ListCopiesOptions, ListedCopy } from './copy-listing.js';
import type { Capabilities } from './capabilities.js';
import type { CopyKindTypes } from './copy-facade.js';
import type { SnapshotKind } from './snapshot-copier.js';
import type { PriceTable } from './cost.js';
import type { CopyPlan } from './plan.js';
import type { SnapcopyError } from './errors.js';
import type { SnapshotListPage, SnapshotListQuery } from './listing.js';
import type { CopyRequestInput, SnapshotRef } from './request.js';
import type { CopyHandle, CopyStatus } from './status.js';

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the call (and any backoff it is in). */
  readonly signal?: AbortSignal;
}

/** Options of {@link SnapshotCopier.plan}. */
export interface PlanOptions extends CallOptions {
  /** Prices to turn billable quantities into money. Without it the plan has no `cost`. */
  readonly prices?: PriceTable;
}

/** Options of `copy`, for a kind whose plans are `P`. */
export interface FacadeCopyOptions<P> extends CallOptions {
  /** A plan made for this same request, to skip planning again. */
  readonly plan?: P;
  /**
   * The caller has just looked the request's client token up (with `findMany` or `find`)
   * and found no copy: the first attempt skips its own lookup before the copy call. A
   * retry after a lost reply still looks the token up first, and providers without a
   * native token still look it up after the copy (to remove a copy made by a racing runner).
   */
  readonly tokenChecked?: boolean;
}

/** Options of {@link SnapshotCopier.copy}. */
export type CopyOptions = FacadeCopyOptions<CopyPlan>;

/** One request's outcome in a batch call: its result, or the error that request alone failed with. */
export type BatchResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: SnapcopyError };

/** Options of {@link SnapshotCopier.cancel}. */
export interface CancelOptions extends CallOptions {
  /**
   * Delete the copy even when it has completed. Without it, cancelling a completed copy is
   * refused with `INVALID_REQUEST` naming what would be deleted (id, region, size, when it
   * completed): a completed copy is a finished backup, not a copy in progress.
   */
  readonly force?: boolean;
}

/** Options of {@link SnapshotCopier.wait}. */
export interface WaitOptions extends CallOptions {
  /** Give up after this many ms (the copy is left alone). Default 6 h. */
  readonly timeoutMs?: number;
  /** First and shortest delay between polls, ms. Default 5 s. */
  readonly minDelayMs?: number;
  /** Longest delay between polls, ms. Default 60 s. */
  readonly maxDelayMs?: number;
  /** Called with every status read, terminal or not. */
  readonly onProgress?: (status: CopyStatus) => void;
  /** The AWS SDK waiters' name for `timeoutMs`, in seconds (`timeoutMs` wins when both are given). */
  readonly maxWaitTime?: number;
  /** The AWS SDK waiters' name for `minDelayMs`, in seconds. */
  readonly minDelay?: number;
  /** The AWS SDK waiters' name for `maxDelayMs`, in seconds. */
  readonly maxDelay?: number;
  /** The AWS SDK waiters' name for `signal` (`signal` wins when both are given). */
  readonly abortSignal?: AbortSignal;
}

/**
 * One provider, one set of credentials: plans, starts, tracks and cancels copies of one
 * kind of resource (`K`: snapshots, images), with the same guarantees (one client token,
 * one copy; batched status; a wait that never touches the copy) whatever the kind.
 *
 * Every method validates its input before any provider call, and every failure is a
 * `SnapcopyError` with a code from the closed set.
 */
export interface KindCopier<K extends CopyKindTypes> {
  /** Provider name, e.g. `aws` or `alibaba`. */
  readonly provider: string;
  /** What this provider can do with this kind: frozen, every flag present. */
  readonly capabilities: K['capabilities'];
  /**
   * Parses and checks a request with no provider call (schema, capability pre-check, the
   * provider's field rules); returns it normalized, with its client token set.
   */
  validate(request: K['input']): K['request'];
  /** Validates the request, resolves the rules and estimates the cost. Never changes anything. */
  plan(request: K['input'], options?: PlanOptions): Promise<K['plan']>;
  /**
   * Plans many requests sharing their reads (sources, account settings, lineage, keys);
   * one result per request, in order, each the plan `plan` gives for it or its own
   * error. Every copier built on the facade has it.
   */
  planMany?(requests: readonly K['input'][], options?: PlanOptions): Promise<BatchResult<K['plan']>[]>;
  /** Starts the copy. One client token never yields two copies. */
  copy(request: K['input'], options?: FacadeCopyOptions<K['plan']>): Promise<K['handle']>;
  /**
   * The copy already made for the request's `clientToken` in its destination, or
   * `undefined` when a well-formed lookup finds none. Changes nothing.
   */
  find(request: K['input'], options?: CallOptions): Promise<K['handle'] | undefined>;
  /**
   * {@link find} for many requests with as few provider calls as the filters allow; one
   * result per request, in order. Every copier built on the facade has it.
   */
  findMany?(
    requests: readonly K['input'][],
    options?: CallOptions,
  ): Promise<BatchResult<K['handle'] | undefined>[]>;
  /** Reads the state of many copies with as few provider calls as the limits allow. */
  status(refs: readonly K['ref'][], options?: CallOptions): Promise<K['status'][]>;
  /**
   * Polls until the copy reaches a terminal state and returns that status (completed,
   * failed or cancelled). Rejects with `TIMEOUT` or `CANCELLED` (abort); neither touches the copy.
   */
  wait(
    ref: K['ref'],
    options?: Omit<WaitOptions, 'onProgress'> & { readonly onProgress?: (status: K['status']) => void },
  ): Promise<K['status']>;
  /**
   * Cancels a copy by deleting it (or deregistering or cancelling it, as the provider
   * stops one), and says when that takes effect. A completed copy is removed only with
   * `{ force: true }`.
   */
  cancel(ref: K['ref'], options?: CancelOptions): Promise<K['cancel']>;
  /**
   * The copies snapcopy made in one region, by lineage (source, client token, batch,
   * policy), one at a time. Every copier built on the facade has it (it fails with
   * `UNSUPPORTED` when the adapter cannot list).
   */
  listCopies?(query: CopyListQuery, options?: ListCopiesOptions): AsyncIterable<ListedCopy<K['ref']>>;
  /** {@link listCopies} page by page, each page with its `$metadata`, like the AWS SDK's paginators. */
  paginateListCopies?(
    query: CopyListQuery,
    options?: ListCopiesOptions,
  ): AsyncIterable<CopyListPage<K['ref']>>;
}

/** A {@link KindCopier} of block-storage snapshots, with batches, listing, sharing and key checks. */
export interface SnapshotCopier extends KindCopier<SnapshotKind> {
  /**
   * The snapshots the caller can see in one region that match `query`, one provider page
   * at a time (the shape of the AWS SDK's paginators): nothing is read until the first
   * page is asked for, and only one page is held at once. The query is checked when
   * `list` is called: `INVALID_REQUEST`, or `UNSUPPORTED` for what the manifest's
   * `list*` flags say the provider cannot list. Present on copiers built on the facade.
   */
  list?(query: SnapshotListQuery, options?: CallOptions): AsyncIterable<SnapshotListPage>;
  /**
   * Lets other accounts use one of the caller's snapshots (EC2: a create-volume
   * permission). `UNSUPPORTED` unless `capabilities.shareSnapshot`.
   */
  share?(ref: SnapshotRef, accounts: readonly string[], options?: CallOptions): Promise<ShareResult>;
  /**
   * Whether the caller may use a KMS key, e.g. the key of a snapshot another account shared
   * (a copy under a key the caller cannot use fails). `UNSUPPORTED` unless
   * `capabilities.keyAccessCheck`. Changes nothing.
   */
  keyAccess?(region: string, keyId: string, options?: CallOptions): Promise<KeyAccess>;
}

/** What {@link SnapshotCopier.share} did. */
export interface ShareResult {
  readonly region: string;
  readonly snapshotId: string;
  /** The accounts the snapshot is now shared with (those asked for). */
  readonly accounts: readonly string[];
}

/** What {@link SnapshotCopier.keyAccess} found. */
export interface KeyAccess {
  readonly region: string;
  readonly keyId: string;
  /** The caller may use the key for a copy. */
  readonly usable: boolean;
  /** The provider's key state when it told one (`Enabled`, `Disabled`, `PendingDeletion`, …). */
  readonly keyState?: string;
  /** Why not, in the provider's words, when not usable. */
  readonly reason?: string;
}

/**
 * Makes copiers of one provider: its name, its manifest (readable without creating a
 * copier or loading an SDK) and a factory. Each provider package exports one; a
 * composition root (the CLI, your application) collects them.
 */
export interface CopierProvider<Options = Record<string, unknown>> {
  readonly provider: string;
  readonly capabilities: Capabilities;
  create(options: Options): SnapshotCopier;
}
