import { randomUUID } from 'node:crypto';
import type { Capabilities } from './capabilities.js';
import { checkRequestAgainstCapabilities } from './capability-check.js';
import { type Clock, systemClock } from './clock.js';
import type { CallOptions, CopyOptions, PlanOptions, SnapshotCopier, WaitOptions } from './copier.js';
import { estimateCopyCost } from './cost.js';
import { invalidRequest, isSnapcopyError, SnapcopyError } from './errors.js';
import { type Logger, redactingLogger, silentLogger } from './logger.js';
import type { CopyPlan } from './plan.js';
import { type CopyRequest, type CopyRequestInput, parseCopyRequest, type SnapshotRef } from './request.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetries } from './retry.js';
import { type CancelResult, type CopyHandle, type CopyStatus, TERMINAL_STATES } from './status.js';

/** A request after parsing, with its client token always set. */
export type NormalizedCopyRequest = CopyRequest & { readonly clientToken: string };

/** Runtime services a copier uses; all optional. */
export interface CopierRuntime {
  readonly clock?: Clock;
  readonly retry?: RetryPolicy;
  readonly logger?: Logger;
}

const DEFAULT_WAIT = { timeoutMs: 6 * 3600_000, minDelayMs: 5_000, maxDelayMs: 60_000 };

/** A NaN or infinite delay would turn the wait loop into a busy poll that never ends. */
function checkWaitOptions(options: WaitOptions, provider: string): void {
  const issues = (['timeoutMs', 'minDelayMs', 'maxDelayMs'] as const)
    .filter((name) => {
      const value = options[name];
      return value !== undefined && !(Number.isFinite(value) && value >= 0);
    })
    .map((path) => ({ path, message: 'must be a finite number of ms, not negative' }));
  if (issues.length > 0) throw invalidRequest(issues, provider);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function checkRef(ref: unknown, index: number): asserts ref is SnapshotRef {
  const r = ref as Partial<SnapshotRef> | null;
  if (
    typeof r?.region !== 'string' ||
    r.region === '' ||
    typeof r.snapshotId !== 'string' ||
    r.snapshotId === ''
  ) {
    throw invalidRequest([{ path: `refs.${index}`, message: 'needs a region and a snapshotId' }]);
  }
}

/**
 * The public facade every adapter extends. It owns parsing, defaults, the capability
 * pre-check, batching, retries, waiting and error wrapping; an adapter implements the
 * `_methods` on input that is already checked.
 */
export abstract class AbstractSnapshotCopier implements SnapshotCopier {
  readonly provider: string;
  readonly capabilities: Capabilities;
  protected readonly clock: Clock;
  protected readonly retryPolicy: RetryPolicy;
  protected readonly logger: Logger;

  protected constructor(provider: string, capabilities: Capabilities, runtime: CopierRuntime = {}) {
    this.provider = provider;
    this.capabilities = capabilities;
    this.clock = runtime.clock ?? systemClock;
    this.retryPolicy = runtime.retry ?? DEFAULT_RETRY_POLICY;
    this.logger = redactingLogger(runtime.logger ?? silentLogger);
  }

  /** Reads the source and destination and applies the provider's rules. No mutation. */
  protected abstract _plan(request: NormalizedCopyRequest, options: CallOptions): Promise<CopyPlan>;
  /**
   * Makes the copy, or finds the one already made for `request.clientToken`. Called
   * again with the same token when a retryable error escaped the previous attempt.
   */
  protected abstract _copy(
    request: NormalizedCopyRequest,
    plan: CopyPlan,
    options: CallOptions,
  ): Promise<{ snapshotId: string; reused: boolean }>;
  /**
   * One provider call for at most `capabilities.maxIdsPerStatusCall` ids in one region.
   * Must return one status per id; an id the provider no longer knows is reported with
   * `rawState: 'absent'` (as `cancelled` if this SDK cancelled it, else `failed`).
   */
  protected abstract _status(
    region: string,
    snapshotIds: readonly string[],
    options: CallOptions,
  ): Promise<CopyStatus[]>;
  /** Deletes the copy. */
  protected abstract _cancel(ref: SnapshotRef, options: CallOptions): Promise<CancelResult>;
  /** Turns anything the SDK threw into a `SnapcopyError`. */
  protected abstract _mapError(err: unknown): SnapcopyError;

  /** Parses, fills the client token and applies the capability pre-check. */
  protected normalize(input: unknown): NormalizedCopyRequest {
    const req = parseCopyRequest(input);
    const refused = checkRequestAgainstCapabilities(this.provider, this.capabilities, req);
    if (refused) throw refused;
    return { ...req, clientToken: req.clientToken ?? randomUUID() };
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isSnapcopyError(err)) throw err;
      throw this._mapError(err);
    }
  }

  private retrying<T>(fn: () => Promise<T>, options: CallOptions, what: string): Promise<T> {
    return withRetries(() => this.guard(fn), {
      policy: this.retryPolicy,
      clock: this.clock,
      ...(options.signal ? { signal: options.signal } : {}),
      onRetry: (err, attempt) => this.logger.debug(`${what}: retrying after ${err.code}`, { attempt }),
    });
  }

  async plan(input: CopyRequestInput, options: PlanOptions = {}): Promise<CopyPlan> {
    const req = this.normalize(input);
    const plan = await this.retrying(() => this._plan(req, options), options, 'plan');
    if (!options.prices) return plan;
    const cost = estimateCopyCost(
      {
        billableGiB: plan.billableGiB,
        kms: plan.kms,
        sourceRegion: plan.source.region,
        destinationRegion: plan.destination.region,
      },
      options.prices,
    );
    return { ...plan, cost };
  }

  async copy(input: CopyRequestInput, options: CopyOptions = {}): Promise<CopyHandle> {
    const given = options.plan;
    const withToken =
      given &&
      typeof input === 'object' &&
      input !== null &&
      !('clientToken' in input && input.clientToken !== undefined)
        ? { ...input, clientToken: given.request.clientToken }
        : input;
    const req = this.normalize(withToken);
    if (given && JSON.stringify(given.request) !== JSON.stringify(req)) {
      throw invalidRequest(
        [{ path: 'plan', message: 'the plan was made for a different request' }],
        this.provider,
      );
    }
    const plan = given ?? (await this.retrying(() => this._plan(req, options), options, 'plan'));
    const startedAt = new Date(this.clock.now()).toISOString();
    const made = await this.retrying(() => this._copy(req, plan, options), options, 'copy');
    this.logger.info('copy started', {
      snapshotId: made.snapshotId,
      reused: made.reused,
      region: req.destination.region,
    });
    return {
      provider: this.provider,
      region: req.destination.region,
      snapshotId: made.snapshotId,
      sourceRegion: req.source.region,
      sourceSnapshotId: req.source.snapshotId,
      clientToken: req.clientToken,
      startedAt,
      reused: made.reused,
    };
  }

  async status(refs: readonly SnapshotRef[], options: CallOptions = {}): Promise<CopyStatus[]> {
    if (!Array.isArray(refs))
      throw invalidRequest([{ path: 'refs', message: 'must be an array' }], this.provider);
    refs.forEach(checkRef);
    // Sets and per-region maps rather than array scans and joined string keys: this runs
    // on every poll round for up to thousands of ids, and its cost is the SDK's overhead.
    const byRegion = new Map<string, Set<string>>();
    for (const ref of refs) {
      const ids = byRegion.get(ref.region);
      if (ids) ids.add(ref.snapshotId);
      else byRegion.set(ref.region, new Set([ref.snapshotId]));
    }
    const found = new Map<string, Map<string, CopyStatus>>();
    const calls: Promise<void>[] = [];
    for (const [region, ids] of byRegion) {
      for (const batch of chunk([...ids], this.capabilities.maxIdsPerStatusCall)) {
        calls.push(
          this.retrying(() => this._status(region, batch, options), options, 'status').then((statuses) => {
            for (const s of statuses) {
              const inRegion = found.get(s.region);
              if (inRegion) inRegion.set(s.snapshotId, s);
              else found.set(s.region, new Map([[s.snapshotId, s]]));
            }
          }),
        );
      }
    }
    await Promise.all(calls);
    return refs.map((ref) => {
      const s = found.get(ref.region)?.get(ref.snapshotId);
      if (!s)
        throw new SnapcopyError(
          'PROVIDER_ERROR',
          `${this.provider}: no status returned for ${ref.snapshotId}`,
        );
      return s;
    });
  }

  async wait(ref: SnapshotRef, options: WaitOptions = {}): Promise<CopyStatus> {
    checkRef(ref, 0);
    checkWaitOptions(options, this.provider);
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT.timeoutMs;
    const minDelay = Math.max(0, options.minDelayMs ?? DEFAULT_WAIT.minDelayMs);
    const maxDelay = Math.max(minDelay, options.maxDelayMs ?? DEFAULT_WAIT.maxDelayMs);
    const start = this.clock.now();
    const deadline = start + timeoutMs;
    let delay = minDelay;
    let last: CopyStatus | undefined;
    const aborted = () =>
      new SnapcopyError('CANCELLED', `wait for ${ref.snapshotId} aborted; the copy was left running`, {
        provider: this.provider,
        ...(last ? { details: { lastStatus: last } } : {}),
      });
    for (;;) {
      if (options.signal?.aborted) throw aborted();
      const [status] = await this.status([ref], options.signal ? { signal: options.signal } : {});
      last = status!;
      options.onProgress?.(last);
      if (TERMINAL_STATES.has(last.state)) return last;
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) {
        throw new SnapcopyError(
          'TIMEOUT',
          `gave up waiting for ${ref.snapshotId} after ${timeoutMs} ms; the copy was left running`,
          {
            provider: this.provider,
            details: { lastStatus: last },
          },
        );
      }
      try {
        await this.clock.sleep(Math.min(delay, remaining), options.signal);
      } catch {
        throw aborted();
      }
      delay = Math.min(maxDelay, Math.ceil(delay * 1.5));
    }
  }

  async cancel(ref: SnapshotRef, options: CallOptions = {}): Promise<CancelResult> {
    checkRef(ref, 0);
    if (!this.capabilities.cancelByDelete) {
      throw new SnapcopyError(
        'UNSUPPORTED',
        `${this.provider} cannot cancel a copy (capability "cancelByDelete" is false)`,
        {
          provider: this.provider,
        },
      );
    }
    return this.retrying(() => this._cancel(ref, options), options, 'cancel');
  }
}
