import { randomUUID } from 'node:crypto';
import {
  batchIdOfToken,
  type CopyListPage,
  type CopyListQuery,
  type CopyListFilter,
  checkCopyListQuery,
  copyListFilter,
  type DriverCopyPage,
  LISTING_TAGS,
  type ListCopiesOptions,
  type ListedCopy,
  matchesCopyListQuery,
} from './copy-listing.js';
import { chunk } from './batch-reads.js';
import { BoundedMap, regionKey } from './bounded-memory.js';
import type { CancelLedger, CancelRecord } from './cancel-ledger.js';
import type { Capabilities } from './capabilities.js';
import { type Clock, systemClock } from './clock.js';
import type { BatchResult, CallOptions, CancelOptions, FacadeCopyOptions, WaitOptions } from './copier.js';
import { type CopyKind, type PricedPlanFields, withPlanCost } from './copy-kind.js';
import type { PriceTable } from './cost.js';
import { invalidRequest, throwIfIssues, is, isSnapcopyError, readInput, SnapcopyError } from './errors.js';
import { LINEAGE_TAGS, tokenReuseMismatch } from './lineage.js';
import { type Logger, redactingLogger, silentLogger } from './logger.js';
import {
  type ProviderCallRecord,
  type ResponseMetadata,
  responseMetadata,
  withProviderCalls,
} from './provider-calls.js';
import { copyToKeep, madeBySnapcopy, type ObservedCopy, STATE_TAGS } from './observed-copy.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetries } from './retry.js';
import { type CopyState, TERMINAL_STATES } from './status.js';

/** Runtime services a copier uses; all optional. */
export interface CopierRuntime {
  readonly clock?: Clock;
  readonly retry?: RetryPolicy;
  readonly logger?: Logger;
  /**
   * Where cancels are recorded and read back, so that a copy cancelled by another process
   * (sharing the ledger) reads `cancelled` once the provider no longer shows it. Default:
   * this copier's own memory only.
   */
  readonly cancelLedger?: CancelLedger;
}

/** The part of a normalized request the copy protocol reads, whatever the resource. */
export interface ProtocolRequest {
  readonly source: { readonly region: string };
  readonly destination: { readonly region: string };
  /** Always set once normalized. */
  readonly clientToken: string;
}

/**
 * The part of a capability manifest the copy protocol reads, whatever the resource: every
 * kind's manifest (snapshots, images) has these entries under these names.
 */
export type ProtocolCapabilities = Pick<
  Capabilities,
  | 'cancelByDelete'
  | 'cancelTakesEffect'
  | 'nativeIdempotencyToken'
  | 'maxIdsPerStatusCall'
  | 'consistencyWindowMs'
>;

/**
 * The types one kind of copied resource (snapshots, images) plugs into {@link CopyFacade}.
 * A type-level bundle: nothing of it exists at run time.
 */
export interface CopyKindTypes {
  /** The kind's capability manifest. */
  readonly capabilities: ProtocolCapabilities;
  /** What callers pass. */
  readonly input: unknown;
  /** A parsed, checked request with its client token. */
  readonly request: ProtocolRequest;
  readonly plan: PricedPlanFields & { readonly request: unknown };
  /** Names one copy: a region and the kind's id field. */
  readonly ref: { readonly region: string };
  readonly handle: unknown;
  readonly status: { readonly state: CopyState; readonly replacedBy?: string };
  readonly cancel: unknown;
}

/** What one `copy` call remembers across its attempts. */
interface CopyAttempts {
  /** Epoch ms of the first copy call that may have been applied (its reply was lost). */
  mayExistSince?: number;
}

/** What {@link CopyFacade} made or found for one request. */
export interface MadeCopy {
  readonly id: string;
  /** True when the copy already existed for the token (nothing new was made by this call). */
  readonly reused: boolean;
  /** Epoch ms the copy started, when known (a found copy), else when it was asked for. */
  readonly startedAt: number;
  /** Duplicates for the same token (another runner's) deleted so that exactly one copy remains. */
  readonly duplicatesRemoved?: readonly string[];
}

/** A status in neutral words, before the kind names its id field. */
export interface NeutralStatus {
  readonly region: string;
  readonly id: string;
  readonly state: CopyState;
  readonly progress: number;
  readonly rawState: string;
  readonly message?: string;
  readonly encrypted?: boolean;
  readonly kmsKeyId?: string;
  /** The copy kept for the same client token, when this one was a duplicate (deleted). */
  readonly replacedBy?: string;
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** How a cancel ended, before the kind names its id field. */
export interface NeutralCancel {
  readonly region: string;
  readonly id: string;
  readonly takesEffect: 'immediate' | 'on-completion' | 'already-gone';
  readonly message: string;
  /** The copy was still in progress when it was cancelled. */
  readonly wasRunning?: boolean;
}

/** Requests of a batch planned or looked up one by one (no batch driver), this many at a time. */
const EACH_CONCURRENCY = 8;

const DEFAULT_WAIT = { timeoutMs: 6 * 3600_000, minDelayMs: 5_000, maxDelayMs: 60_000 };

/**
 * The wait options under their AWS SDK waiter names (`maxWaitTime`, `minDelay`, `maxDelay`
 * in seconds, `abortSignal`) read as snapcopy's own (`timeoutMs`, `minDelayMs`,
 * `maxDelayMs` in ms, `signal`); where both are given, snapcopy's own win.
 */
function waiterOptions<O extends Omit<WaitOptions, 'onProgress'>>(options: O, provider: string): O {
  const issues: { path: string; message: string }[] = (['maxWaitTime', 'minDelay', 'maxDelay'] as const)
    .filter((name) => {
      const value = options[name];
      return value !== undefined && !(Number.isFinite(value) && value >= 0);
    })
    .map((path) => ({ path, message: 'must be a finite number of seconds, not negative' }));
  if (options.abortSignal !== undefined && !(options.abortSignal instanceof AbortSignal)) {
    issues.push({ path: 'abortSignal', message: 'must be an AbortSignal' });
  }
  throwIfIssues(issues, provider);
  const seconds = (s: number | undefined) => (s === undefined ? undefined : s * 1000);
  const timeoutMs = options.timeoutMs ?? seconds(options.maxWaitTime);
  const minDelayMs = options.minDelayMs ?? seconds(options.minDelay);
  const maxDelayMs = options.maxDelayMs ?? seconds(options.maxDelay);
  const signal = options.signal ?? options.abortSignal;
  return {
    ...options,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(minDelayMs === undefined ? {} : { minDelayMs }),
    ...(maxDelayMs === undefined ? {} : { maxDelayMs }),
    ...(signal === undefined ? {} : { signal }),
  };
}

/** A NaN or infinite delay would turn the wait loop into a busy poll that never ends. */
function checkWaitOptions(options: Omit<WaitOptions, 'onProgress'>, provider: string): void {
  const issues = (['timeoutMs', 'minDelayMs', 'maxDelayMs'] as const)
    .filter((name) => {
      const value = options[name];
      return value !== undefined && !(Number.isFinite(value) && value >= 0);
    })
    .map((path) => ({ path, message: 'must be a finite number of ms, not negative' }));
  throwIfIssues(issues, provider);
}

/** `fn` over every item, at most `limit` at a time; results in order. */
async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const signalOf = (options: CallOptions): CallOptions => (options.signal ? { signal: options.signal } : {});

/** A result with the `$metadata` of the provider calls that made it. */
function withMetadata<T>(result: T, metadata: ResponseMetadata): T {
  return { ...(result as object), $metadata: metadata } as T;
}

/**
 * A caller's options object, read once into a plain one: a getter that throws or a Proxy
 * gives `INVALID_REQUEST`, and a getter is not read again later with another answer.
 */
function readOptions<T extends object>(options: T | undefined, provider: string): T {
  const read = readInput(
    'options',
    () => {
      if (options === undefined || options === null) return {} as T;
      if (typeof options !== 'object')
        throw invalidRequest([{ path: 'options', message: 'must be an object' }]);
      return { ...options };
    },
    provider,
  );
  const signal = (read as CallOptions).signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidRequest([{ path: 'options.signal', message: 'must be an AbortSignal' }], provider);
  }
  return read;
}

/**
 * The copy protocol, once, for every provider and every kind of resource: parsing and
 * the capability pre-check, the client-token lookup before a copy and again after a lost
 * reply, the token-reuse check, convergence of duplicates made by racing runners (where
 * the provider has no native token), batched status, waiting, and a cancel that deletes
 * only what snapcopy made and remembers what it cancelled. Adapters implement a handful
 * of narrow driver methods (`_plan` or `_readPlanFacts` with `_decidePlan`, `_findByToken`
 * or `_findByTokens`, `_startCopy`, `_describe`, `_delete`, `_tagCopy`, `_mapError`) on
 * input that is already checked; each kind (snapshots, images) names its fields through
 * its {@link CopyKind}.
 */
export abstract class CopyFacade<K extends CopyKindTypes> {
  readonly provider: string;
  readonly capabilities: K['capabilities'];
  protected readonly clock: Clock;
  protected readonly retryPolicy: RetryPolicy;
  protected readonly logger: Logger;
  /** Logs one provider call at debug; undefined when nobody listens (redaction is not free). */
  readonly #logCall: ((call: ProviderCallRecord) => void) | undefined;
  /** Cancels shared with other processes; undefined when the caller gave none. */
  readonly #ledger: CancelLedger | undefined;

  /** Plans this copier made, with the input they were made from: `copy(input, { plan })` trusts them. */
  readonly #plans = new WeakMap<object, unknown>();
  /** Copies this copier deleted (cancel): once gone they read `cancelled`. */
  readonly #cancelled = new BoundedMap<string, true>();
  /** Deletes sent whose effect is not known yet: gone on a retry means one of them worked. */
  readonly #deleting = new BoundedMap<string, true>();
  /** Duplicates this copier deleted, with the copy kept instead. */
  readonly #superseded = new BoundedMap<string, string>();
  /** Copy attempts in flight, by destination region (see {@link #findToken}). */
  readonly #copying = new Map<string, number>();
  /** Token lookups waiting to share one driver call, by region then token. */
  readonly #pendingLookups = new Map<
    string,
    Map<string, { resolve: (copies: ObservedCopy[]) => void; reject: (err: unknown) => void }[]>
  >();

  protected constructor(provider: string, capabilities: K['capabilities'], runtime: CopierRuntime = {}) {
    this.provider = provider;
    this.capabilities = capabilities;
    this.clock = runtime.clock ?? systemClock;
    this.retryPolicy = runtime.retry ?? DEFAULT_RETRY_POLICY;
    this.logger = redactingLogger(runtime.logger ?? silentLogger);
    this.#ledger = runtime.cancelLedger ?? undefined;
    this.#logCall =
      runtime.logger === undefined || runtime.logger === null
        ? undefined
        : (call) =>
            this.logger.debug(
              { ...call },
              `${call.provider} ${call.operation} ${call.region}: ${call.httpStatusCode ?? 'no reply'}`,
            );
  }

  /**
   * Runs one public operation, collecting the provider calls made for it: each is logged at
   * `debug` as it ends (operation, region, HTTP status, request id, duration; never a
   * secret) and together they make the result's `$metadata`.
   */
  protected async withCalls<T>(fn: () => Promise<T>): Promise<{ value: T; metadata: ResponseMetadata }> {
    const { value, calls } = await withProviderCalls(fn, this.#logCall);
    return { value, metadata: responseMetadata(calls) };
  }

  // ---- the kind: how requests, refs, handles and statuses of this resource look ----

  /** The kind of resource this facade copies: its names, its parser and its capability pre-check. */
  protected abstract readonly kind: CopyKind<K['request'], K['capabilities']>;

  /** Checks a ref and returns its region and id (`INVALID_REQUEST` naming `refs.<index>`). */
  protected kindRefId(ref: unknown, index: number): { readonly region: string; readonly id: string } {
    return this.kind.checkRef(ref, index);
  }

  /** A ref of this kind: `{ region, snapshotId }` for snapshots, `{ region, imageId }` for images. */
  protected kindRefOf(region: string, id: string): K['ref'] {
    return { region, [this.kind.idField]: id } as K['ref'];
  }

  protected kindHandle(request: K['request'], made: MadeCopy): K['handle'] {
    return {
      provider: this.provider,
      region: request.destination.region,
      [this.kind.idField]: made.id,
      sourceRegion: request.source.region,
      [this.kind.sourceIdField]: this.kind.sourceIdOf(request),
      clientToken: request.clientToken,
      startedAt: new Date(made.startedAt).toISOString(),
      reused: made.reused,
      ...(made.duplicatesRemoved && made.duplicatesRemoved.length > 0
        ? { duplicatesRemoved: made.duplicatesRemoved }
        : {}),
    } as K['handle'];
  }

  /** A status under the kind's id field; a kind with more to say (an image's snapshots) adds it. */
  protected kindStatus(s: NeutralStatus): K['status'] {
    // Assigned, not spread: this runs for every id of every poll round.
    const status: Record<string, unknown> = {
      region: s.region,
      [this.kind.idField]: s.id,
      state: s.state,
      progress: s.progress,
      rawState: s.rawState,
    };
    if (s.message !== undefined) status.message = s.message;
    if (s.encrypted !== undefined) status.encrypted = s.encrypted;
    if (s.kmsKeyId !== undefined) status.kmsKeyId = s.kmsKeyId;
    if (s.replacedBy !== undefined) status.replacedBy = s.replacedBy;
    return status as K['status'];
  }

  protected kindCancel(r: NeutralCancel): K['cancel'] {
    return { region: r.region, [this.kind.idField]: r.id, takesEffect: r.takesEffect, message: r.message };
  }

  // ---- the driver: the provider calls an adapter implements ----

  /** Provider-specific field checks that need no call (ids, tags, names). Throws `INVALID_REQUEST`. */
  protected _validate(_request: K['request']): void {}
  /**
   * Checks the id of a copy named by the caller (status, wait, cancel) the way the
   * provider writes ids, before any call. Throws `INVALID_REQUEST` naming `path`.
   */
  protected _validateCopyId(_id: string, _path: string): void {}
  /**
   * Reads what the plan needs and applies the provider's rules. Never mutates. Without an
   * override, a request is planned as a batch of one through {@link _readPlanFacts} and
   * {@link _decidePlan}: a plan alone and a plan in a batch are then made the same way.
   */
  protected async _plan(request: K['request'], options: CallOptions): Promise<K['plan']> {
    const [plan] = await this.#planFromFacts([request], options);
    if (isSnapcopyError(plan)) throw plan;
    return plan as K['plan'];
  }
  /**
   * Reads every fact the plans of `requests` decide from, sharing the reads they have in
   * common (sources by as many ids per call as the provider takes, account settings once per
   * region, lineage and keys once each); nothing is decided yet. Returns, in order, each
   * request's facts or the error of that request alone (a source not found); throws when a
   * read they share failed. With {@link _decidePlan} it makes `_plan` and `_planBatch`.
   */
  protected _readPlanFacts?(
    requests: readonly K['request'][],
    options: CallOptions,
  ): Promise<readonly unknown[]>;
  /** The provider's rules over one request's facts: its plan, or a `SnapcopyError` thrown to refuse it. */
  protected _decidePlan?(request: K['request'], facts: unknown): K['plan'];
  /**
   * Every copy in `region` carrying snapcopy's client-token tag with value `token`. Must
   * throw (not return empty) when the reply is not a well-formed provider reply. Without
   * an override, {@link _findByTokens} with the one token.
   */
  protected _findByToken(region: string, token: string, options: CallOptions): Promise<ObservedCopy[]> {
    if (this._findByTokens === undefined) throw this.#missingDriver('_findByToken or _findByTokens');
    return this._findByTokens(region, [token], options);
  }
  /**
   * Every copy in `region` carrying snapcopy's client-token tag with any of `tokens`, with
   * as few calls as the provider's filters allow. Optional: without it, batches look tokens
   * up one by one with {@link _findByToken}. Must throw on a reply that is not well formed.
   */
  protected _findByTokens?(
    region: string,
    tokens: readonly string[],
    options: CallOptions,
  ): Promise<ObservedCopy[]>;
  /**
   * Plans several requests sharing their reads (sources by as many ids per call as the
   * provider takes, account settings once per region, lineage and keys once each). Returns,
   * in order, each request's plan or the error of that request alone; it must give every
   * request the plan {@link _plan} would give it. Throws when a read they share failed (the
   * facade retries the batch as a whole). Optional: without it each request is planned alone.
   */
  protected _planBatch?(
    requests: readonly K['request'][],
    options: CallOptions,
  ): Promise<Array<K['plan'] | SnapcopyError>>;
  /** Sends the copy call (with the provider's native token when it has one); returns the new id. */
  protected abstract _startCopy(
    request: K['request'],
    plan: K['plan'],
    options: CallOptions,
  ): Promise<string>;
  /**
   * The copies among `ids` (at most `capabilities.maxIdsPerStatusCall`) that exist in
   * `region`; an id missing from the result is absent. Must throw on a reply that is not
   * a well-formed provider reply, so that "absent" is never inferred from garbage.
   */
  protected abstract _describe(
    region: string,
    ids: readonly string[],
    options: CallOptions,
  ): Promise<ObservedCopy[]>;
  /** Deletes (or deregisters, or cancels) the copy. A `NOT_FOUND` means it is gone. */
  protected abstract _delete(copy: ObservedCopy, options: CallOptions): Promise<void>;
  /**
   * Adds tags to a copy, to tell other processes it is being cancelled or is a duplicate.
   * Providers that cannot (or need not) say so leave it out; the delete goes ahead anyway.
   */
  protected _tagCopy?(
    copy: ObservedCopy,
    tags: Readonly<Record<string, string>>,
    options: CallOptions,
  ): Promise<void>;
  /** Turns anything the SDK threw into a `SnapcopyError`. */
  protected abstract _mapError(err: unknown): SnapcopyError;
  /**
   * One page of the copies in `region` that match `filter` (every tag with its value, every
   * tag key present), the caller's own only, with the token of the next page. Optional:
   * without it `listCopies` fails with `UNSUPPORTED`. Must throw on a malformed reply.
   */
  protected _listCopies?(
    region: string,
    filter: CopyListFilter,
    nextToken: string | undefined,
    options: CallOptions,
  ): Promise<DriverCopyPage>;
  /** Why a copy the provider no longer returns is gone (shown when snapcopy did not delete it). */
  protected _absentMessage(region: string, id: string): string {
    return `${this.kind.noun} ${id} no longer exists in ${region} (deleted, released, or never made by this account)`;
  }

  // ---- the public protocol ----

  /**
   * The copies snapcopy made in one region, found by their lineage: all copies of a source,
   * the copy of a client token, a batch's, a policy's; one page per provider call, each
   * with its `$metadata`, like the AWS SDK's paginators (`for await (const page of …)`).
   */
  async *paginateListCopies(
    query: CopyListQuery,
    given: ListCopiesOptions = {},
  ): AsyncGenerator<CopyListPage<K['ref']>, void, undefined> {
    const options = readOptions(given, this.provider);
    const q = checkCopyListQuery(query, this.provider);
    const list = this._listCopies?.bind(this);
    if (list === undefined) {
      throw new SnapcopyError('UNSUPPORTED', `${this.provider}: this copier cannot list copies`, {
        provider: this.provider,
      });
    }
    const filter = copyListFilter(q, this.kind.sourceTag);
    const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY;
    let next: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const token = next;
      const { value, metadata } = await this.withCalls(() =>
        this.retrying(() => list(q.region, filter, token, signalOf(options)), options, 'list'),
      );
      const copies = value.copies
        .filter((c) => c.region === q.region && matchesCopyListQuery(c, q, this.kind.sourceTag))
        .map((c) => this.#listed(c));
      yield { copies, $metadata: metadata };
      next = value.nextToken;
      if (next === undefined || next === '') return;
    }
  }

  /**
   * {@link paginateListCopies} one copy at a time: `for await (const copy of
   * copier.listCopies({ region, sourceId }))`.
   */
  async *listCopies(
    query: CopyListQuery,
    options: ListCopiesOptions = {},
  ): AsyncGenerator<ListedCopy<K['ref']>, void, undefined> {
    for await (const page of this.paginateListCopies(query, options)) yield* page.copies;
  }

  #listed(c: ObservedCopy): ListedCopy<K['ref']> {
    const status = this.#statusOf(c.region, c.id, c);
    const token = c.tags[LINEAGE_TAGS.clientToken] as string;
    const batchId = batchIdOfToken(token);
    const policy = c.tags[LISTING_TAGS.policy];
    const sourceRegion = c.tags[LINEAGE_TAGS.sourceRegion];
    const sourceId = c.tags[this.kind.sourceTag];
    return {
      provider: this.provider,
      ref: this.kindRefOf(c.region, c.id),
      state: status.state,
      progress: status.progress,
      clientToken: token,
      source: {
        ...(sourceRegion === undefined ? {} : { region: sourceRegion }),
        ...(sourceId === undefined ? {} : { id: sourceId }),
      },
      ...(batchId === undefined ? {} : { batchId }),
      ...(policy === undefined ? {} : { policy }),
      ...(c.createdAt === undefined ? {} : { startedAt: new Date(c.createdAt).toISOString() }),
      ...(c.sizeGiB === undefined ? {} : { sizeGiB: c.sizeGiB }),
      ...(c.encrypted === undefined ? {} : { encrypted: c.encrypted }),
      ...(c.kmsKeyId === undefined ? {} : { kmsKeyId: c.kmsKeyId }),
    };
  }

  /**
   * Parses and checks a request without any provider call: the schema, the capability
   * pre-check and the provider's own field rules. Returns it with its client token set
   * (a new random one when the request has none).
   */
  validate(input: K['input']): K['request'] {
    return this.normalize(input);
  }

  /** Parses, applies the capability pre-check and the provider's field rules, fills the token. */
  protected normalize(input: unknown): K['request'] {
    const parsed = this.kind.parse(input);
    const req = { ...parsed, clientToken: parsed.clientToken ?? randomUUID() } as K['request'];
    const refused = this.kind.checkCapabilities(this.provider, this.capabilities, req);
    if (refused) throw refused;
    this._validate(req);
    return req;
  }

  #guard<T>(fn: () => Promise<T>): () => Promise<T> {
    return async () => {
      try {
        return await fn();
      } catch (err) {
        if (isSnapcopyError(err)) throw err;
        throw this._mapError(err);
      }
    };
  }

  /** Runs `fn` under the retry policy; no retry starts whose backoff would end after `until`. */
  protected retrying<T>(
    fn: () => Promise<T>,
    options: CallOptions,
    what: string,
    until?: number,
  ): Promise<T> {
    return withRetries(this.#guard(fn), {
      policy: this.retryPolicy,
      clock: this.clock,
      ...signalOf(options),
      ...(until === undefined ? {} : { until }),
      // An error that says when it may be retried is left to the caller to retry then.
      shouldRetry: (err) => typeof err.details?.retryAfterMs !== 'number',
      onRetry: (err, attempt) => this.logger.debug({ attempt }, `${what}: retrying after ${err.code}`),
    });
  }

  /** A ref's region and id, checked (shape, region format, the provider's id format). */
  #refId(ref: unknown, index: number): { readonly region: string; readonly id: string } {
    const path = `refs.${index}`;
    const checked = readInput(path, () => this.kindRefId(ref, index), this.provider);
    this._validateCopyId(checked.id, `${path}.${this.kind.idField}`);
    return checked;
  }

  /** Validates the request, reads what the rules need and estimates the cost. Never mutates. */
  async plan(input: K['input'], given: CallOptions & { readonly prices?: unknown } = {}): Promise<K['plan']> {
    const options = readOptions(given, this.provider);
    const req = this.normalize(input);
    const { value: made, metadata } = await this.withCalls(() =>
      this.retrying(() => this._plan(req, signalOf(options)), options, 'plan'),
    );
    const priced = options.prices === undefined ? made : withPlanCost(made, options.prices as PriceTable);
    const plan = withMetadata(priced, metadata);
    this.#plans.set(plan as object, input);
    return plan;
  }

  /**
   * Plans many requests at once, sharing the reads they have in common: sources are read
   * as many ids per call as the provider takes, account settings once per region, earlier
   * copies of several lineages with one filtered listing, each key once. Returns one result
   * per request, in order: the plan {@link plan} gives for it, or the error it alone fails
   * with (a bad field, a source not found, a rule's refusal). Rejects only when a read the
   * whole batch needs fails after the retries, or when `inputs` is not an array. Plans of
   * requests in one batch each see the destination as it is now: a request whose lineage
   * another request of the batch is about to copy is planned without that copy.
   */
  async planMany(
    inputs: readonly K['input'][],
    options: CallOptions & { readonly prices?: unknown } = {},
  ): Promise<BatchResult<K['plan']>[]> {
    if (!Array.isArray(inputs))
      throw invalidRequest([{ path: 'requests', message: 'must be an array' }], this.provider);
    const out: BatchResult<K['plan']>[] = new Array(inputs.length);
    const valid: { readonly index: number; readonly req: K['request'] }[] = [];
    inputs.forEach((input, index) => {
      try {
        valid.push({ index, req: this.normalize(input) });
      } catch (err) {
        out[index] = { ok: false, error: this.#asError(err) };
      }
    });
    const { value: made, metadata } = await this.withCalls(() =>
      this.#planRequests(
        valid.map((v) => v.req),
        options,
      ),
    );
    valid.forEach(({ index }, n) => {
      const one = made[n]!;
      if (!('plan' in one)) {
        out[index] = { ok: false, error: one.error };
        return;
      }
      try {
        const priced =
          options.prices === undefined ? one.plan : withPlanCost(one.plan, options.prices as PriceTable);
        const plan = withMetadata(priced, metadata);
        this.#plans.set(plan as object, inputs[index]);
        out[index] = { ok: true, value: plan };
      } catch (err) {
        out[index] = { ok: false, error: this.#asError(err) };
      }
    });
    return out;
  }

  #asError(err: unknown): SnapcopyError {
    return isSnapcopyError(err) ? err : this._mapError(err);
  }

  /** Plans checked requests: through the driver's batch when it has one, else each alone. */
  async #planRequests(
    requests: readonly K['request'][],
    options: CallOptions,
  ): Promise<Array<{ plan: K['plan'] } | { error: SnapcopyError }>> {
    if (requests.length === 0) return [];
    const batch =
      this._planBatch?.bind(this) ??
      (this._readPlanFacts === undefined
        ? undefined
        : (reqs: readonly K['request'][], o: CallOptions) => this.#planFromFacts(reqs, o));
    if (batch !== undefined) {
      const made = await this.retrying(() => batch(requests, signalOf(options)), options, 'plan');
      return made.map((m) => (isSnapcopyError(m) ? { error: m } : { plan: m }));
    }
    return mapWithConcurrency(requests, EACH_CONCURRENCY, async (req) => {
      try {
        return { plan: await this.retrying(() => this._plan(req, signalOf(options)), options, 'plan') };
      } catch (err) {
        return { error: this.#asError(err) };
      }
    });
  }

  /** Plans from the driver's facts and rules; a rule's refusal is that request's error alone. */
  async #planFromFacts(
    requests: readonly K['request'][],
    options: CallOptions,
  ): Promise<Array<K['plan'] | SnapcopyError>> {
    const read = this._readPlanFacts?.bind(this);
    const decide = this._decidePlan?.bind(this);
    if (read === undefined || decide === undefined)
      throw this.#missingDriver('_plan or _readPlanFacts and _decidePlan');
    const facts = await read(requests, options);
    return facts.map((f, i) => {
      if (isSnapcopyError(f)) return f;
      try {
        return decide(requests[i]!, f);
      } catch (err) {
        if (isSnapcopyError(err)) return err;
        throw err;
      }
    });
  }

  /** An adapter that implements neither of two driver methods one of which the protocol needs. */
  #missingDriver(what: string): SnapcopyError {
    return new SnapcopyError('PROVIDER_ERROR', `${this.provider}: the adapter implements neither ${what}`, {
      provider: this.provider,
      retryable: false,
    });
  }

  /**
   * The request a plan was made for, without parsing again when `input` is the very
   * input (or request) the plan was made from; otherwise parsed, and refused when it
   * differs from the plan's request.
   */
  #requestFor(input: unknown, given: K['plan'] | undefined): K['request'] {
    if (given !== undefined) {
      const planned = given.request as K['request'];
      if (
        this.#plans.has(given as object) &&
        (input === planned || input === this.#plans.get(given as object))
      ) {
        return planned;
      }
      const withToken =
        typeof input === 'object' &&
        input !== null &&
        (input as { clientToken?: unknown }).clientToken === undefined
          ? { ...input, clientToken: planned.clientToken }
          : input;
      const req = this.normalize(withToken);
      if (JSON.stringify(planned) !== JSON.stringify(req)) {
        throw invalidRequest(
          [{ path: 'plan', message: 'the plan was made for a different request' }],
          this.provider,
        );
      }
      return req;
    }
    return this.normalize(input);
  }

  /**
   * Starts the copy, or finds the one already made with the request's client token: one
   * token never yields two copies. Retries reuse the token and look it up first.
   */
  async copy(input: K['input'], given: FacadeCopyOptions<K['plan']> = {}): Promise<K['handle']> {
    const options = readOptions(given, this.provider);
    const req = readInput('', () => this.#requestFor(input, options.plan), this.provider);
    const { value: made, metadata } = await this.withCalls(async () => {
      const plan =
        options.plan ?? (await this.retrying(() => this._plan(req, signalOf(options)), options, 'plan'));
      // Only the first attempt trusts the caller's lookup: a retry looks the token up again.
      let lookUpFirst = options.tokenChecked !== true;
      const attempts: CopyAttempts = {};
      return this.retrying(
        () => {
          const lookUp = lookUpFirst;
          lookUpFirst = true;
          return this.#inFlight(req.destination.region, () =>
            this.#copyOnce(req, plan, signalOf(options), lookUp, attempts),
          );
        },
        options,
        'copy',
      );
    });
    this.logger.info(
      {
        id: made.id,
        reused: made.reused,
        region: req.destination.region,
        ...(made.duplicatesRemoved ? { duplicatesRemoved: made.duplicatesRemoved } : {}),
      },
      'copy started',
    );
    return withMetadata(this.kindHandle(req, made), metadata);
  }

  /**
   * The copy already made for the request's client token in its destination, if any,
   * as a handle (`reused: true`); `undefined` when a well-formed lookup finds none. The
   * request must carry its `clientToken`. Nothing is changed (no copy is started).
   */
  async find(input: K['input'], given: CallOptions = {}): Promise<K['handle'] | undefined> {
    const options = readOptions(given, this.provider);
    const hasToken = readInput(
      'clientToken',
      () =>
        typeof input === 'object' &&
        input !== null &&
        (input as { clientToken?: unknown }).clientToken !== undefined,
      this.provider,
    );
    if (!hasToken) {
      throw invalidRequest(
        [{ path: 'clientToken', message: 'find needs the client token to look up' }],
        this.provider,
      );
    }
    const req = this.normalize(input);
    const { value: found, metadata } = await this.withCalls(() =>
      this.retrying(
        async () =>
          this.#keepFor(
            req,
            await this._findByToken(req.destination.region, req.clientToken, signalOf(options)),
            signalOf(options),
          ),
        options,
        'find',
      ),
    );
    return found === undefined ? undefined : withMetadata(this.kindHandle(req, found), metadata);
  }

  /**
   * {@link find} for many requests, with as few provider calls as the filters allow (one
   * per destination region per batch of tokens where the provider can list several tokens
   * in one filter). One result per request, in order: the handle of the copy already made
   * for its token, `undefined` when a well-formed lookup found none, or its own error (a
   * request without a client token, a token already used for another source, a lookup that
   * still failed after the retries: a failed batched call fails the requests it carried, a
   * provider that looks tokens up one by one fails only the token whose lookup failed). A
   * request found empty here can be copied with `copy(request, { plan, tokenChecked: true })`.
   */
  async findMany(
    inputs: readonly K['input'][],
    options: CallOptions = {},
  ): Promise<BatchResult<K['handle'] | undefined>[]> {
    if (!Array.isArray(inputs))
      throw invalidRequest([{ path: 'requests', message: 'must be an array' }], this.provider);
    const out: BatchResult<K['handle'] | undefined>[] = new Array(inputs.length);
    const byRegion = new Map<string, { index: number; req: K['request'] }[]>();
    inputs.forEach((input, index) => {
      try {
        if (
          typeof input !== 'object' ||
          input === null ||
          (input as { clientToken?: unknown }).clientToken === undefined
        ) {
          throw invalidRequest(
            [{ path: 'clientToken', message: 'find needs the client token to look up' }],
            this.provider,
          );
        }
        const req = this.normalize(input);
        const list = byRegion.get(req.destination.region) ?? [];
        if (list.length === 0) byRegion.set(req.destination.region, list);
        list.push({ index, req });
      } catch (err) {
        out[index] = { ok: false, error: this.#asError(err) };
      }
    });
    const signal = signalOf(options);
    await this.withCalls(() => this.#findEach(byRegion, out, options, signal));
    return out;
  }

  async #findEach(
    byRegion: Map<string, { index: number; req: K['request'] }[]>,
    out: BatchResult<K['handle'] | undefined>[],
    options: CallOptions,
    signal: CallOptions,
  ): Promise<void> {
    for (const [region, entries] of byRegion) {
      const tokens = [...new Set(entries.map((e) => e.req.clientToken))];
      const found = await this.#findTokens(region, tokens, options);
      for (const { index, req } of entries) {
        const copies = found.get(req.clientToken)!;
        if (!copies.ok) {
          out[index] = copies;
          continue;
        }
        try {
          const kept = await this.#keepFor(req, copies.value, signal);
          out[index] = { ok: true, value: kept === undefined ? undefined : this.kindHandle(req, kept) };
        } catch (err) {
          out[index] = { ok: false, error: this.#asError(err) };
        }
      }
    }
  }

  /**
   * The copies carrying each of `tokens` in `region`, each lookup retried on its own: one
   * batched driver call for all of them where there is one (its failure is every token's),
   * else one call per token (a failure is that token's alone).
   */
  async #findTokens(
    region: string,
    tokens: readonly string[],
    options: CallOptions,
  ): Promise<Map<string, BatchResult<readonly ObservedCopy[]>>> {
    const signal = signalOf(options);
    const out = new Map<string, BatchResult<readonly ObservedCopy[]>>();
    const findByTokens = this._findByTokens?.bind(this);
    if (findByTokens !== undefined) {
      try {
        const copies = await this.retrying(() => findByTokens(region, tokens, signal), options, 'find');
        for (const t of tokens) out.set(t, { ok: true, value: copies });
      } catch (err) {
        const error = this.#asError(err);
        for (const t of tokens) out.set(t, { ok: false, error });
      }
      return out;
    }
    await mapWithConcurrency(tokens, EACH_CONCURRENCY, async (t) => {
      try {
        const copies = await this.retrying(() => this._findByToken(region, t, signal), options, 'find');
        out.set(t, { ok: true, value: copies });
      } catch (err) {
        out.set(t, { ok: false, error: this.#asError(err) });
      }
    });
    return out;
  }

  /**
   * Copies carrying one token in `region`, for a copy in flight (before its copy call, or
   * after it to converge). Concurrent copies share one batched driver call when the driver
   * has one: a lookup waits until every copy in flight in the region is waiting for its
   * own lookup (or has ended), then all of them go in one call. A call with an abort
   * signal goes alone.
   */
  #findToken(region: string, token: string, options: CallOptions): Promise<ObservedCopy[]> {
    if (this._findByTokens === undefined || options.signal !== undefined) {
      return this._findByToken(region, token, options);
    }
    const pending = this.#pendingLookups.get(region) ?? new Map();
    if (pending.size === 0) this.#pendingLookups.set(region, pending);
    const waiting = pending.get(token) ?? [];
    if (waiting.length === 0) pending.set(token, waiting);
    const result = new Promise<ObservedCopy[]>((resolve, reject) => waiting.push({ resolve, reject }));
    this.#maybeFlushLookups(region);
    return result;
  }

  /** Sends the region's waiting lookups once no copy in flight there is still on its way to one. */
  #maybeFlushLookups(region: string): void {
    const pending = this.#pendingLookups.get(region);
    if (pending === undefined) return;
    let waiting = 0;
    for (const list of pending.values()) waiting += list.length;
    if (waiting < (this.#copying.get(region) ?? 0)) return;
    this.#pendingLookups.delete(region);
    this._findByTokens!(region, [...pending.keys()], {}).then(
      (copies) => {
        for (const list of pending.values()) for (const w of list) w.resolve(copies);
      },
      (err: unknown) => {
        for (const list of pending.values()) for (const w of list) w.reject(err);
      },
    );
  }

  /** Counts a copy attempt in flight in `region` while `fn` runs (see {@link #findToken}). */
  async #inFlight<T>(region: string, fn: () => Promise<T>): Promise<T> {
    this.#copying.set(region, (this.#copying.get(region) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      const left = (this.#copying.get(region) ?? 1) - 1;
      if (left === 0) this.#copying.delete(region);
      else this.#copying.set(region, left);
      this.#maybeFlushLookups(region);
    }
  }

  /** The token's copy in the destination (the one every runner keeps), checked to be of this source. */
  async #lookUp(req: K['request'], options: CallOptions): Promise<MadeCopy | undefined> {
    const copies = await this.#findToken(req.destination.region, req.clientToken, options);
    return this.#keepFor(req, copies, options);
  }

  /** Of `copies` (any tokens), the one kept for the request's token, its duplicates removed. */
  async #keepFor(
    req: K['request'],
    found: readonly ObservedCopy[],
    options: CallOptions,
  ): Promise<MadeCopy | undefined> {
    const lineage = this.kind.lineage(req);
    const copies = found.filter((c) => c.tags[lineage.tokenTag] === req.clientToken);
    const keep = copyToKeep(copies);
    if (keep === undefined) return undefined;
    const mismatch = tokenReuseMismatch(lineage, req, keep, this.provider);
    if (mismatch) throw mismatch;
    const mine = copies.filter((c) => tokenReuseMismatch(lineage, req, c, this.provider) === undefined);
    const removed = mine.length > 1 ? await this.#removeDuplicates(keep, mine, options) : [];
    return {
      id: keep.id,
      reused: true,
      startedAt: keep.createdAt ?? this.clock.now(),
      ...(removed.length > 0 ? { duplicatesRemoved: removed } : {}),
    };
  }

  async #copyOnce(
    req: K['request'],
    plan: K['plan'],
    options: CallOptions,
    lookUpFirst: boolean,
    attempts: CopyAttempts = {},
  ): Promise<MadeCopy> {
    // An earlier attempt (here after a lost reply, or in another process) may have made it.
    const earlier = lookUpFirst ? await this.#lookUp(req, options) : undefined;
    if (earlier !== undefined) return earlier;
    // A native token makes the provider itself answer a resend with the copy it made.
    if (attempts.mayExistSince !== undefined && !this.capabilities.nativeIdempotencyToken) {
      this.#refuseToResendYet(req, attempts.mayExistSince);
    }
    const askedAt = this.clock.now();
    let id: string;
    try {
      id = await this._startCopy(req, plan, options);
    } catch (err) {
      const mapped = isSnapcopyError(err) ? err : this._mapError(err);
      if (!mapped.ambiguous) throw mapped;
      attempts.mayExistSince ??= askedAt;
      return this.#afterLostReply(req, mapped, options);
    }
    if (this.capabilities.nativeIdempotencyToken) return { id, reused: false, startedAt: askedAt };
    return this.#converge(req, { id, reused: false, startedAt: askedAt }, options);
  }

  /**
   * A copy call of this request may have been applied, and a lookup finds nothing yet. On
   * an eventually consistent API that proves nothing until the provider's consistency
   * window has passed, and without a native token sending the copy again before then could
   * make a second one. So the
   * call ends here with an ambiguous error saying when a retry (with the same token, which
   * looks it up again first) is safe.
   */
  #refuseToResendYet(req: K['request'], mayExistSince: number): void {
    const waited = this.clock.now() - mayExistSince;
    const window = this.capabilities.consistencyWindowMs;
    if (waited >= window) return;
    const retryAfterMs = window - waited;
    throw new SnapcopyError(
      'PROVIDER_ERROR',
      `${this.provider}: a copy call for client token ${req.clientToken} may have been applied and no copy is visible yet; ${this.provider}'s listings may lag up to ${Math.ceil(window / 1000)} s, so it is not sent again before ${Math.ceil(retryAfterMs / 1000)} s from now: retry copy with the same token then (it looks the token up first), or find it`,
      {
        provider: this.provider,
        retryable: true,
        ambiguous: true,
        details: { clientToken: req.clientToken, retryAfterMs },
      },
    );
  }

  /** The copy call's reply was lost: the copy may exist. Look its token up before anything else. */
  async #afterLostReply(req: K['request'], mapped: SnapcopyError, options: CallOptions): Promise<MadeCopy> {
    const region = req.destination.region;
    this.logger.warn(
      { region, providerCode: mapped.providerCode },
      `${this.provider}: the copy call's reply was lost; looking the client token up`,
    );
    const lostReply = (why: string, cause: unknown) =>
      new SnapcopyError(
        'PROVIDER_ERROR',
        `${this.provider}: the copy call in ${region} may or may not have made a copy (${mapped.message}); ${why}`,
        {
          provider: this.provider,
          retryable: true,
          ambiguous: true,
          cause,
          ...(mapped.providerCode === undefined ? {} : { providerCode: mapped.providerCode }),
          ...(mapped.requestId === undefined ? {} : { requestId: mapped.requestId }),
          ...(mapped.httpStatus === undefined ? {} : { httpStatus: mapped.httpStatus }),
          details: { clientToken: req.clientToken },
        },
      );
    let found: MadeCopy | undefined;
    try {
      found = await this.#lookUp(req, options);
    } catch (lookupErr) {
      if (is(lookupErr, 'INVALID_REQUEST')) throw lookupErr;
      throw lostReply('the token could not be looked up; a retry looks it up before copying', lookupErr);
    }
    if (found !== undefined) return found;
    throw lostReply('no copy carries its token yet; a retry looks it up again before copying', mapped);
  }

  /**
   * Without a native token, two runners can both find nothing and both copy. Look the
   * token up again after the copy call: when the cloud holds several copies for it, keep
   * the one every runner keeps and delete the others (only copies carrying this token and
   * this lineage).
   */
  async #converge(req: K['request'], made: MadeCopy, options: CallOptions): Promise<MadeCopy> {
    const region = req.destination.region;
    const lineage = this.kind.lineage(req);
    let copies: ObservedCopy[];
    try {
      copies = await this.#findToken(region, req.clientToken, options);
    } catch (err) {
      this.logger.warn(
        { region, code: isSnapcopyError(err) ? err.code : 'unknown' },
        `${this.provider}: could not look the token up after the copy; keeping ${made.id}`,
      );
      return made;
    }
    const mine = copies.filter(
      (c) =>
        c.tags[lineage.tokenTag] === req.clientToken &&
        tokenReuseMismatch(lineage, req, c, this.provider) === undefined,
    );
    if (!mine.some((c) => c.id === made.id)) {
      if (mine.length === 0) return made;
      // The lookup does not show ours yet but shows another: ours is the newer one.
      mine.push({ region, id: made.id, state: 'pending', rawState: 'unknown', progress: 0, tags: {} });
    }
    if (mine.length === 1) return made;
    const keep = copyToKeep(mine)!;
    const removed = await this.#removeDuplicates(keep, mine, options);
    return {
      id: keep.id,
      reused: keep.id !== made.id,
      startedAt: keep.id === made.id ? made.startedAt : (keep.createdAt ?? made.startedAt),
      duplicatesRemoved: removed,
    };
  }

  /** Deletes every copy of `copies` but `keep`; returns the ids deleted (or already gone). */
  async #removeDuplicates(
    keep: ObservedCopy,
    copies: readonly ObservedCopy[],
    options: CallOptions,
  ): Promise<string[]> {
    const removed: string[] = [];
    for (const dup of copies) {
      if (dup.id === keep.id) continue;
      this.logger.warn(
        { region: dup.region, kept: keep.id, deleting: dup.id },
        `${this.provider}: two copies carry one client token; deleting the newer`,
      );
      this.#superseded.set(regionKey(dup.region, dup.id), keep.id);
      try {
        await this.#tagBeforeDelete(dup, { [STATE_TAGS.supersededBy]: keep.id }, options);
        await this._delete(dup, options);
        removed.push(dup.id);
      } catch (err) {
        const mapped = isSnapcopyError(err) ? err : this._mapError(err);
        if (mapped.code === 'NOT_FOUND') removed.push(dup.id);
        else
          this.logger.warn({ code: mapped.code }, `${this.provider}: could not delete duplicate ${dup.id}`);
      }
    }
    return removed;
  }

  /** Tags a copy before deleting it; a copy with no room for another tag is deleted untagged. */
  async #tagBeforeDelete(
    copy: ObservedCopy,
    tags: Record<string, string>,
    options: CallOptions,
  ): Promise<void> {
    if (this._tagCopy === undefined) return;
    if (Object.entries(tags).every(([k, v]) => copy.tags[k] === v)) return;
    try {
      await this._tagCopy(copy, tags, options);
    } catch (err) {
      const mapped = isSnapcopyError(err) ? err : this._mapError(err);
      if (mapped.code !== 'QUOTA_EXCEEDED') throw mapped;
      this.logger.warn(
        { region: copy.region, id: copy.id },
        `${this.provider}: the copy has the maximum number of tags; deleting it untagged`,
      );
    }
  }

  /** The neutral status of `id`, from what the provider returned (or its absence). */
  #statusOf(
    region: string,
    id: string,
    seen: ObservedCopy | undefined,
    cancelledElsewhere?: CancelRecord,
  ): NeutralStatus {
    const key = regionKey(region, id);
    const supersededHere = this.#superseded.get(key);
    if (seen === undefined) {
      if (supersededHere !== undefined) {
        return {
          region,
          id,
          state: 'cancelled',
          progress: 0,
          rawState: 'absent',
          replacedBy: supersededHere,
          message: `a duplicate for the same client token, deleted; the copy is ${supersededHere}`,
        };
      }
      const cancelledHere = this.#cancelled.has(key) || cancelledElsewhere !== undefined;
      return {
        region,
        id,
        state: cancelledHere ? 'cancelled' : 'failed',
        progress: 0,
        rawState: 'absent',
        message: cancelledHere ? 'cancelled: the copy has been deleted' : this._absentMessage(region, id),
      };
    }
    const base: NeutralStatus = {
      region,
      id,
      state: seen.state,
      progress: seen.state === 'completed' ? 100 : seen.progress,
      rawState: seen.rawState,
      ...(seen.message === undefined ? {} : { message: seen.message }),
      ...(seen.encrypted === undefined ? {} : { encrypted: seen.encrypted }),
      ...(seen.kmsKeyId === undefined ? {} : { kmsKeyId: seen.kmsKeyId }),
      ...(seen.extra === undefined ? {} : { extra: seen.extra }),
    };
    const replacedBy = seen.tags[STATE_TAGS.supersededBy] ?? supersededHere;
    if (replacedBy !== undefined) {
      return {
        ...base,
        state: 'cancelled',
        replacedBy,
        message: `a duplicate for the same client token, being deleted; the copy is ${replacedBy}`,
      };
    }
    if (this.#cancelled.has(key) || seen.tags[STATE_TAGS.cancelled] === 'true') {
      return {
        ...base,
        state: 'cancelled',
        message:
          seen.state === 'pending'
            ? `cancelled: ${this.provider} deletes the copy when it completes`
            : `cancelled${seen.message ? ` (${seen.message})` : ''}`,
      };
    }
    return base;
  }

  /**
   * The state of many copies with as few provider calls as the limits allow: one call per
   * region per `maxIdsPerStatusCall` ids. A copy the provider no longer returns reads
   * `cancelled` when this copier deleted it, else `failed`.
   */
  async status(refs: readonly K['ref'][], given: CallOptions = {}): Promise<K['status'][]> {
    const options = readOptions(given, this.provider);
    const list = readInput(
      'refs',
      () => {
        if (!Array.isArray(refs)) throw invalidRequest([{ path: 'refs', message: 'must be an array' }]);
        return Array.from(refs as readonly unknown[]);
      },
      this.provider,
    );
    const ids = list.map((ref, i) => this.#refId(ref, i));
    return (await this.withCalls(() => this.#statuses(ids, options))).value;
  }

  /** Statuses of checked ids; no retry starts that would end after `until`. */
  async #statuses(
    ids: readonly { readonly region: string; readonly id: string }[],
    options: CallOptions,
    until?: number,
  ): Promise<K['status'][]> {
    // Sets and per-region maps rather than array scans and joined string keys: this runs
    // on every poll round for up to thousands of ids.
    const byRegion = new Map<string, Set<string>>();
    for (const { region, id } of ids) {
      const set = byRegion.get(region);
      if (set) set.add(id);
      else byRegion.set(region, new Set([id]));
    }
    const found = new Map<string, Map<string, ObservedCopy>>();
    const calls: Promise<void>[] = [];
    for (const [region, set] of byRegion) {
      const inRegion = new Map<string, ObservedCopy>();
      found.set(region, inRegion);
      for (const batch of chunk([...set], this.capabilities.maxIdsPerStatusCall)) {
        calls.push(
          this.retrying(
            () => this._describe(region, batch, signalOf(options)),
            options,
            'status',
            until,
          ).then((seen) => {
            for (const c of seen) if (c.region === region) inRegion.set(c.id, c);
          }),
        );
      }
    }
    await Promise.all(calls);
    const ledger = await this.#ledgerFor(
      ids.filter(
        ({ region, id }) =>
          found.get(region)?.get(id) === undefined &&
          !this.#cancelled.has(regionKey(region, id)) &&
          !this.#superseded.has(regionKey(region, id)),
      ),
    );
    return ids.map(({ region, id }) =>
      this.kindStatus(
        this.#statusOf(region, id, found.get(region)?.get(id), ledger.get(regionKey(region, id))),
      ),
    );
  }

  /**
   * What the cancel ledger says about copies the provider no longer shows: cancelled by
   * another process sharing the ledger, or not. A ledger that cannot be read says nothing.
   */
  async #ledgerFor(
    absent: readonly { readonly region: string; readonly id: string }[],
  ): Promise<Map<string, CancelRecord>> {
    const out = new Map<string, CancelRecord>();
    const ledger = this.#ledger;
    if (ledger === undefined || absent.length === 0) return out;
    await Promise.all(
      absent.map(async ({ region, id }) => {
        try {
          const record = await ledger.lookup(this.provider, region, id);
          if (record !== undefined) out.set(regionKey(region, id), record);
        } catch (err) {
          this.logger.warn(
            { region, id, error: String(err) },
            `${this.provider}: the cancel ledger could not be read`,
          );
        }
      }),
    );
    return out;
  }

  /** Records a cancel in the shared ledger; a ledger that fails is logged, never fatal. */
  async #recordCancel(region: string, id: string, seen: ObservedCopy | undefined): Promise<void> {
    const ledger = this.#ledger;
    if (ledger === undefined) return;
    const token = seen?.tags[LINEAGE_TAGS.clientToken];
    try {
      await ledger.record({
        provider: this.provider,
        region,
        id,
        cancelledAt: new Date(this.clock.now()).toISOString(),
        stateWhenCancelled: seen?.state === undefined || seen.state === 'cancelled' ? 'unknown' : seen.state,
        ...(token === undefined ? {} : { clientToken: token }),
      });
    } catch (err) {
      this.logger.warn(
        { region, id, error: String(err) },
        `${this.provider}: the cancel could not be recorded in the ledger`,
      );
    }
  }

  /**
   * Polls until the copy reaches a terminal state and returns that status. A copy that
   * turns out to be a duplicate of another for the same token is followed to the one kept.
   * Rejects with `TIMEOUT` or `CANCELLED` (abort); neither touches the copy. A status call
   * in flight at the deadline is not retried: the wait ends by the deadline plus at most
   * one request timeout, and a call that fails after the deadline ends it with `TIMEOUT`.
   */
  async wait(
    ref: K['ref'],
    given: Omit<WaitOptions, 'onProgress'> & { readonly onProgress?: (status: K['status']) => void } = {},
  ): Promise<K['status']> {
    const options = waiterOptions(readOptions(given, this.provider), this.provider);
    return (await this.withCalls(() => this.#wait(ref, options))).value;
  }

  async #wait(
    ref: K['ref'],
    options: Omit<WaitOptions, 'onProgress'> & { readonly onProgress?: (status: K['status']) => void },
  ): Promise<K['status']> {
    let current = this.#refId(ref, 0);
    checkWaitOptions(options, this.provider);
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT.timeoutMs;
    const minDelay = Math.max(0, options.minDelayMs ?? DEFAULT_WAIT.minDelayMs);
    const maxDelay = Math.max(minDelay, options.maxDelayMs ?? DEFAULT_WAIT.maxDelayMs);
    const deadline = this.clock.now() + timeoutMs;
    let delay = minDelay;
    let last: K['status'] | undefined;
    const aborted = () =>
      new SnapcopyError('CANCELLED', `wait for ${current.id} aborted; the copy was left running`, {
        provider: this.provider,
        ...(last ? { details: { lastStatus: last } } : {}),
      });
    const timedOut = (cause?: unknown) =>
      new SnapcopyError(
        'TIMEOUT',
        `gave up waiting for ${current.id} after ${timeoutMs} ms; the copy was left running`,
        {
          provider: this.provider,
          ...(last ? { details: { lastStatus: last } } : {}),
          ...(cause === undefined ? {} : { cause }),
        },
      );
    for (let followed = 0; ; ) {
      if (options.signal?.aborted) throw aborted();
      let status: K['status'] | undefined;
      try {
        [status] = await this.#statuses([current], signalOf(options), deadline);
      } catch (err) {
        if (options.signal?.aborted) throw aborted();
        if (this.clock.now() >= deadline) throw timedOut(err);
        throw err;
      }
      last = status!;
      options.onProgress?.(last);
      if (last.replacedBy !== undefined && followed < 10) {
        followed += 1;
        current = { region: current.region, id: last.replacedBy };
        continue;
      }
      if (TERMINAL_STATES.has(last.state)) return last;
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) throw timedOut();
      try {
        await this.clock.sleep(Math.min(delay, remaining), options.signal);
      } catch {
        throw aborted();
      }
      delay = Math.min(maxDelay, Math.ceil(delay * 1.5));
    }
  }

  /**
   * Cancels a copy by deleting it, and says when that takes effect. Only copies snapcopy
   * made (they carry its client-token tag) are deleted; anything else is refused.
   */
  async cancel(ref: K['ref'], given: CancelOptions = {}): Promise<K['cancel']> {
    const options = readOptions(given, this.provider);
    const { region, id } = this.#refId(ref, 0);
    if (!this.capabilities.cancelByDelete) {
      throw new SnapcopyError(
        'UNSUPPORTED',
        `${this.provider} cannot cancel a copy (capability "cancelByDelete" is false)`,
        { provider: this.provider, details: { scope: 'capability', capability: 'cancelByDelete' } },
      );
    }
    const force = options.force === true;
    const { value, metadata } = await this.withCalls(() =>
      this.retrying(() => this.#cancelOnce(region, id, signalOf(options), force), options, 'cancel'),
    );
    return withMetadata(this.kindCancel(value), metadata);
  }

  /**
   * Refuses to delete a copy that has completed unless the caller forces it: a completed
   * copy is a finished backup, and the error says what would be deleted.
   */
  #refuseCompleted(seen: ObservedCopy): never {
    const facts = [
      `${this.kind.noun} ${seen.id} in ${seen.region}`,
      seen.sizeGiB === undefined ? undefined : `${seen.sizeGiB} GiB`,
      seen.completedAt === undefined
        ? seen.createdAt === undefined
          ? undefined
          : `started ${new Date(seen.createdAt).toISOString()}`
        : `completed ${new Date(seen.completedAt).toISOString()}`,
    ].filter((f): f is string => f !== undefined);
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `${seen.id} has completed: cancelling it would delete a finished copy (${facts.join(', ')}); pass force: true (the CLI's --force) to delete it`,
      {
        provider: this.provider,
        retryable: false,
        issues: [{ path: 'force', message: 'needed to delete a completed copy' }],
        details: {
          region: seen.region,
          id: seen.id,
          ...(seen.sizeGiB === undefined ? {} : { sizeGiB: seen.sizeGiB }),
          ...(seen.completedAt === undefined
            ? {}
            : { completedAt: new Date(seen.completedAt).toISOString() }),
          ...(seen.createdAt === undefined ? {} : { startedAt: new Date(seen.createdAt).toISOString() }),
        },
      },
    );
  }

  async #cancelOnce(region: string, id: string, options: CallOptions, force = false): Promise<NeutralCancel> {
    const key = regionKey(region, id);
    // A delete of ours whose effect was unknown (its reply lost) makes a later absence ours.
    const earlierDeleteMayHaveWorked = this.#deleting.has(key);
    const gone = (): NeutralCancel => {
      this.#deleting.delete(key);
      if (earlierDeleteMayHaveWorked) {
        this.#cancelled.set(key, true);
        return { region, id, takesEffect: 'immediate', message: `${id} is deleted` };
      }
      return {
        region,
        id,
        takesEffect: 'already-gone',
        message: `${id} does not exist in ${region}: nothing to cancel`,
      };
    };
    const [seen] = (await this._describe(region, [id], options)).filter((c) => c.id === id);
    if (seen === undefined) {
      const result = gone();
      if (result.takesEffect !== 'already-gone') await this.#recordCancel(region, id, undefined);
      return result;
    }
    if (!madeBySnapcopy(seen)) {
      // Cancel deletes: never delete a resource snapcopy did not make (a source, a backup).
      throw invalidRequest(
        [
          {
            path: this.kind.idField,
            message: `${id} is not a copy made by snapcopy (no snapcopy:client-token tag); refusing to delete it`,
          },
        ],
        this.provider,
      );
    }
    const cancelledAlready = this.#cancelled.has(key) || seen.tags[STATE_TAGS.cancelled] === 'true';
    if (seen.state === 'completed' && !force && !cancelledAlready) this.#refuseCompleted(seen);
    this.#deleting.set(key, true);
    try {
      await this.#tagBeforeDelete(seen, { [STATE_TAGS.cancelled]: 'true' }, options);
      await this._delete(seen, options);
    } catch (err) {
      const mapped = isSnapcopyError(err) ? err : this._mapError(err);
      if (mapped.code === 'NOT_FOUND') {
        const result = gone();
        if (result.takesEffect !== 'already-gone') await this.#recordCancel(region, id, seen);
        return result;
      }
      // Only a delete that may have been applied (this one or an earlier) explains a later absence.
      if (!earlierDeleteMayHaveWorked && !mapped.ambiguous) this.#deleting.delete(key);
      throw mapped;
    }
    this.#deleting.delete(key);
    this.#cancelled.set(key, true);
    await this.#recordCancel(region, id, seen);
    if (seen.state === 'pending' && this.capabilities.cancelTakesEffect === 'on-completion') {
      return {
        region,
        id,
        takesEffect: 'on-completion',
        message: `${id} is still copying: ${this.provider} deletes it when the copy completes (it reads as cancelled meanwhile)`,
        wasRunning: true,
      };
    }
    return {
      region,
      id,
      takesEffect: 'immediate',
      message:
        seen.state === 'pending'
          ? `deleted ${id}: the copy in progress was stopped and its partial data removed`
          : `${id} is deleted`,
      wasRunning: seen.state === 'pending',
    };
  }
}
