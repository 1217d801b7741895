import {
  type Capabilities,
  type Clock,
  type CopyPlan,
  defineCapabilities,
  SnapcopyError,
} from '../../src/index.js';
import {
  AbstractSnapshotCopier,
  type CopierRuntime,
  type CopyListFilter,
  type DriverCopyPage,
  LINEAGE_TAGS,
  lineageTags,
  type NormalizedCopyRequest,
  type ObservedCopy,
  reportProviderCall,
} from '../../src/driver.js';

/** Sleeps jump time forward at once: enough for a single-threaded wait loop. */
export class JumpClock implements Clock {
  t = 1_000_000;
  sleeps: number[] = [];
  now() {
    return this.t;
  }
  async sleep(ms: number, signal?: AbortSignal) {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.t += ms;
  }
}

/** A copy in the fake cloud. */
export interface FakeCopy {
  region: string;
  id: string;
  state: 'pending' | 'completed' | 'failed';
  progress: number;
  tags: Record<string, string>;
  createdAt: number;
  sizeGiB?: number;
  completedAt?: number;
}

/** One way a driver call can go wrong. */
export type Fault =
  | { readonly kind: 'refuse'; readonly error: SnapcopyError }
  /** The call is applied, then its reply is lost. */
  | { readonly kind: 'lose-reply'; readonly error: SnapcopyError };

export type DriverOp = 'plan' | 'find' | 'start' | 'describe' | 'delete' | 'tag' | 'list';

/** A tiny cloud the fake driver talks to; tests judge outcomes by its state. */
export class FakeCloud {
  readonly copies = new Map<string, FakeCopy>();
  readonly calls: { op: DriverOp; detail?: string }[] = [];
  readonly faults = new Map<DriverOp, Fault[]>();
  /** describe advances every pending copy by this many points. */
  step = 25;
  /** Copies token lookups do not see yet (an eventually consistent listing). */
  readonly lagging = new Set<string>();
  /** Runs once after the next call of an operation has been applied (another runner acting meanwhile). */
  readonly after = new Map<DriverOp, () => void>();
  #next = 0;

  constructor(readonly clock: Clock) {}

  fault(op: DriverOp, ...faults: Fault[]): void {
    this.faults.set(op, [...(this.faults.get(op) ?? []), ...faults]);
  }

  /**
   * Runs one driver call under the faults queued for it, and reports it as an adapter's call
   * layer does (request id `req-<n>`, HTTP 200, or the fault's code).
   */
  run<T>(op: DriverOp, apply: () => T, detail?: string): T {
    this.calls.push(detail === undefined ? { op } : { op, detail });
    const requestId = `req-${this.calls.length}`;
    const fault = this.faults.get(op)?.shift();
    reportProviderCall({
      provider: 'fake',
      operation: op,
      region: 'rx-any-1',
      durationMs: 1,
      ...(fault?.kind === 'refuse'
        ? { httpStatusCode: 400, errorCode: fault.error.code }
        : { httpStatusCode: 200, requestId }),
    });
    if (fault?.kind === 'refuse') throw fault.error;
    const result = apply();
    const hook = this.after.get(op);
    if (hook) {
      this.after.delete(op);
      hook();
    }
    if (fault?.kind === 'lose-reply') throw fault.error;
    return result;
  }

  count(op: DriverOp): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  add(copy: Omit<FakeCopy, 'id'> & { id?: string }): FakeCopy {
    const id = copy.id ?? `snap-${(++this.#next).toString(16).padStart(8, '0')}`;
    const made = { ...copy, id };
    this.copies.set(id, made);
    return made;
  }

  withToken(token: string): FakeCopy[] {
    return [...this.copies.values()].filter((c) => c.tags[LINEAGE_TAGS.clientToken] === token);
  }
}

export const FAKE_CAPS = defineCapabilities({
  crossRegionCopy: true,
  sameRegionEncryptedCopy: true,
  cancelByDelete: true,
  cancelTakesEffect: 'immediate',
  maxIdsPerStatusCall: 3,
  tagsOnCopy: true,
  maxUserTags: 10,
  retentionPeriod: false,
});

/** The plan the fake driver makes for a request (a full copy of 8 GiB). */
export function fakePlan(request: NormalizedCopyRequest): CopyPlan {
  return {
    provider: 'fake',
    request,
    source: {
      region: request.source.region,
      snapshotId: request.source.snapshotId,
      ownership: 'owned',
      encrypted: false,
      volumeId: 'vol-1',
      sizeGiB: 8,
    },
    destination: { region: request.destination.region },
    encryption: { encrypted: false, keySource: 'none' },
    transfer: 'full',
    sizeBasis: 'snapshot',
    billableGiB: { transfer: 8, storage: 8, timeBased: 0 },
    kms: { customerManagedKey: false, serviceKey: false },
    reasons: ['test'],
  } satisfies CopyPlan;
}

/** The smallest complete driver over {@link FakeCloud}. */
export class FakeCopier extends AbstractSnapshotCopier {
  planCalls = 0;

  constructor(
    readonly cloud: FakeCloud,
    clock: Clock,
    capabilities: Capabilities = FAKE_CAPS,
    maxAttempts = 3,
    runtime: Pick<CopierRuntime, 'logger' | 'cancelLedger'> = {},
  ) {
    super('fake', capabilities, {
      clock,
      retry: { maxAttempts, baseDelayMs: 10, maxDelayMs: 100 },
      ...runtime,
    });
  }

  /** Pages of two copies, filtered as a provider would. */
  protected override async _listCopies(
    region: string,
    filter: CopyListFilter,
    nextToken: string | undefined,
  ): Promise<DriverCopyPage> {
    return this.cloud.run(
      'list',
      () => {
        const all = [...this.cloud.copies.values()]
          .filter(
            (c) =>
              c.region === region &&
              Object.entries(filter.tags).every(([k, v]) => c.tags[k] === v) &&
              filter.tagKeys.every((k) => c.tags[k] !== undefined),
          )
          .sort((a, b) => (a.id < b.id ? -1 : 1));
        const start = nextToken === undefined ? 0 : Number(nextToken);
        const page = all.slice(start, start + 2).map((c) => this.#observed(c));
        return start + 2 < all.length ? { copies: page, nextToken: String(start + 2) } : { copies: page };
      },
      nextToken,
    );
  }

  protected override async _plan(request: NormalizedCopyRequest): Promise<CopyPlan> {
    this.planCalls++;
    return this.cloud.run('plan', () => {
      if (request.source.snapshotId === 'sdk-crash') throw new TypeError('socket exploded');
      return fakePlan(request);
    });
  }

  #observed(c: FakeCopy): ObservedCopy {
    return {
      region: c.region,
      id: c.id,
      state: c.state,
      rawState: c.state,
      progress: c.progress,
      tags: { ...c.tags },
      createdAt: c.createdAt,
      ...(c.sizeGiB === undefined ? {} : { sizeGiB: c.sizeGiB }),
      ...(c.completedAt === undefined ? {} : { completedAt: c.completedAt }),
    };
  }

  protected override async _findByToken(region: string, token: string): Promise<ObservedCopy[]> {
    return this.cloud.run(
      'find',
      () =>
        this.cloud
          .withToken(token)
          .filter((c) => c.region === region && !this.cloud.lagging.has(c.id))
          .map((c) => this.#observed(c)),
      token,
    );
  }

  protected override async _startCopy(request: NormalizedCopyRequest, plan: CopyPlan): Promise<string> {
    return this.cloud.run(
      'start',
      () => {
        if (this.capabilities.nativeIdempotencyToken) {
          const earlier = this.cloud.withToken(request.clientToken)[0];
          if (earlier) return earlier.id;
        }
        return this.cloud.add({
          region: request.destination.region,
          state: 'pending',
          progress: 0,
          createdAt: this.cloud.clock.now(),
          tags: {
            ...(request.tags ?? {}),
            ...lineageTags({
              clientToken: request.clientToken,
              sourceSnapshotId: request.source.snapshotId,
              sourceRegion: request.source.region,
              ...(plan.source.volumeId === undefined ? {} : { sourceVolumeId: plan.source.volumeId }),
            }),
          },
        }).id;
      },
      request.clientToken,
    );
  }

  protected override async _describe(region: string, ids: readonly string[]): Promise<ObservedCopy[]> {
    return this.cloud.run(
      'describe',
      () =>
        ids.flatMap((id) => {
          const c = this.cloud.copies.get(id);
          if (!c || c.region !== region) return [];
          if (c.state === 'pending') {
            c.progress = Math.min(100, c.progress + this.cloud.step);
            if (c.progress >= 100) c.state = 'completed';
          }
          return [this.#observed(c)];
        }),
      ids.join(','),
    );
  }

  protected override async _delete(copy: ObservedCopy): Promise<void> {
    this.cloud.run(
      'delete',
      () => {
        if (!this.cloud.copies.delete(copy.id)) {
          throw new SnapcopyError('NOT_FOUND', `no ${copy.id}`, { providerCode: 'NotFound' });
        }
      },
      copy.id,
    );
  }

  protected override async _tagCopy(
    copy: ObservedCopy,
    tags: Readonly<Record<string, string>>,
  ): Promise<void> {
    this.cloud.run(
      'tag',
      () => {
        const c = this.cloud.copies.get(copy.id);
        if (!c) throw new SnapcopyError('NOT_FOUND', `no ${copy.id}`);
        Object.assign(c.tags, tags);
      },
      copy.id,
    );
  }

  protected override _mapError(err: unknown): SnapcopyError {
    return new SnapcopyError('PROVIDER_ERROR', `mapped: ${(err as Error).message}`, { cause: err });
  }
}

/** A lost reply after the server acted, as an adapter maps it. */
export const lostReply = () =>
  new SnapcopyError('PROVIDER_ERROR', 'socket hang up', { retryable: true, ambiguous: true });
