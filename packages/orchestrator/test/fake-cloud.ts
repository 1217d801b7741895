// A small in-memory cloud and a copier over it, for orchestrator tests. Copies take
// virtual time, the destination region refuses more than `regionLimit` pending copies,
// client tokens dedupe, and faults can be scripted per operation. Tests assert on this
// cloud's state, not on the orchestrator's word.
import {
  AbstractSnapshotCopier,
  type CallOptions,
  type CancelResult,
  type Capabilities,
  type Clock,
  type CopyPlan,
  type CopyStatus,
  defineCapabilities,
  LINEAGE_TAGS,
  type NormalizedCopyRequest,
  type ObservedCopy,
  type RetryPolicy,
  SnapcopyError,
  type SnapshotRef,
} from '@snapcopy/core';

export type FakeFault = 'throttle' | 'server-error' | 'drop-after' | 'access-denied';
export type FakeOperation = 'plan' | 'find' | 'copy' | 'status' | 'cancel';

export interface FakeSnapshot {
  readonly id: string;
  readonly region: string;
  readonly account: string;
  readonly sourceId: string;
  readonly clientToken: string;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly failMessage?: string;
  deleted: boolean;
}

export interface FakeCall {
  readonly op: FakeOperation;
  readonly at: number;
  readonly region: string;
  readonly ids?: readonly string[];
  readonly token?: string;
  readonly fault?: FakeFault;
}

export interface FakeCloudOptions {
  readonly clock: Clock;
  /** Pending copies one (account, region) accepts; beyond it, QUOTA_EXCEEDED. */
  readonly regionLimit?: number;
  /** Copy duration by source snapshot id. Default 600 s. */
  readonly durationMs?: (sourceId: string) => number;
  /** Sources whose copies fail in the cloud. */
  readonly failingSources?: ReadonlySet<string>;
}

export class FakeCloud {
  readonly clock: Clock;
  readonly snapshots = new Map<string, FakeSnapshot>();
  readonly calls: FakeCall[] = [];
  readonly regionLimit: number;
  readonly #durationMs: (sourceId: string) => number;
  readonly #failing: ReadonlySet<string>;
  readonly #faults: { op: FakeOperation; kind: FakeFault; times: number }[] = [];
  #seq = 0;
  /** Highest number of pending copies seen per region at any copy call. */
  readonly peakPending = new Map<string, number>();
  /** Hook run at the start of every copy call (e.g. to inspect the journal then). */
  onCopy?: (token: string) => void | Promise<void>;

  constructor(options: FakeCloudOptions) {
    this.clock = options.clock;
    this.regionLimit = options.regionLimit ?? Number.POSITIVE_INFINITY;
    this.#durationMs = options.durationMs ?? (() => 600_000);
    this.#failing = options.failingSources ?? new Set();
  }

  /** Injects `kind` into the next `times` calls of `op`. */
  fault(op: FakeOperation, kind: FakeFault, times = 1): this {
    this.#faults.push({ op, kind, times });
    return this;
  }

  #takeFault(op: FakeOperation): FakeFault | undefined {
    const f = this.#faults.find((x) => x.op === op && x.times > 0);
    if (!f) return undefined;
    f.times -= 1;
    return f.kind;
  }

  static error(kind: FakeFault, ambiguous = false): SnapcopyError {
    switch (kind) {
      case 'throttle':
        return new SnapcopyError('THROTTLED', 'Request limit exceeded', {
          providerCode: 'RequestLimitExceeded',
        });
      case 'access-denied':
        return new SnapcopyError('ACCESS_DENIED', 'not allowed', { providerCode: 'UnauthorizedOperation' });
      default:
        return new SnapcopyError(
          'PROVIDER_ERROR',
          kind === 'drop-after' ? 'socket hang up' : 'internal error',
          {
            retryable: true,
            ambiguous,
          },
        );
    }
  }

  state(s: FakeSnapshot): Pick<CopyStatus, 'state' | 'progress' | 'rawState'> {
    if (s.deleted) return { state: 'cancelled', progress: 0, rawState: 'absent' };
    const elapsed = this.clock.now() - s.startedAt;
    if (s.failMessage !== undefined && elapsed >= s.durationMs / 10) {
      return { state: 'failed', progress: 10, rawState: 'error' };
    }
    if (elapsed >= s.durationMs) return { state: 'completed', progress: 100, rawState: 'completed' };
    return {
      state: 'pending',
      progress: Math.min(99, Math.floor((elapsed / s.durationMs) * 100)),
      rawState: 'pending',
    };
  }

  pending(account: string, region: string): number {
    let n = 0;
    for (const s of this.snapshots.values()) {
      if (s.account === account && s.region === region && this.state(s).state === 'pending') n++;
    }
    return n;
  }

  /** Copies made per client token (a duplicate shows as a count above 1). */
  copiesPerToken(): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.snapshots.values()) out.set(s.clientToken, (out.get(s.clientToken) ?? 0) + 1);
    return out;
  }

  count(op: FakeOperation): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  plan(region: string, sourceId: string): void {
    const fault = this.#takeFault('plan');
    this.calls.push({ op: 'plan', at: this.clock.now(), region, ...(fault ? { fault } : {}) });
    if (fault) throw FakeCloud.error(fault);
    if (sourceId.startsWith('snap-missing')) {
      throw new SnapcopyError('NOT_FOUND', `snapshot ${sourceId} does not exist`, {
        providerCode: 'InvalidSnapshot.NotFound',
      });
    }
  }

  /** The copies made with `token` in `region` (a lookup by the client-token tag). */
  find(region: string, token: string): FakeSnapshot[] {
    const fault = this.#takeFault('find');
    this.calls.push({ op: 'find', at: this.clock.now(), region, token, ...(fault ? { fault } : {}) });
    if (fault) throw FakeCloud.error(fault);
    return [...this.snapshots.values()].filter(
      (s) => s.region === region && s.clientToken === token && !s.deleted,
    );
  }

  async copy(account: string, region: string, sourceId: string, token: string) {
    await this.onCopy?.(token);
    const fault = this.#takeFault('copy');
    this.calls.push({ op: 'copy', at: this.clock.now(), region, token, ...(fault ? { fault } : {}) });
    if (fault && fault !== 'drop-after') throw FakeCloud.error(fault);
    for (const s of this.snapshots.values()) {
      if (s.clientToken === token && s.account === account) {
        if (fault) throw FakeCloud.error(fault, true);
        return { snapshotId: s.id, reused: true };
      }
    }
    const pending = this.pending(account, region);
    this.peakPending.set(region, Math.max(this.peakPending.get(region) ?? 0, pending + 1));
    if (pending >= this.regionLimit) {
      throw new SnapcopyError('QUOTA_EXCEEDED', 'too many copies in progress', {
        providerCode: 'ResourceLimitExceeded',
      });
    }
    const id = `snap-copy-${++this.#seq}`;
    this.snapshots.set(id, {
      id,
      region,
      account,
      sourceId,
      clientToken: token,
      startedAt: this.clock.now(),
      durationMs: this.#durationMs(sourceId),
      ...(this.#failing.has(sourceId) ? { failMessage: 'key not accessible' } : {}),
      deleted: false,
    });
    if (fault) throw FakeCloud.error(fault, true);
    return { snapshotId: id, reused: false };
  }

  status(region: string, ids: readonly string[]): CopyStatus[] {
    const fault = this.#takeFault('status');
    this.calls.push({ op: 'status', at: this.clock.now(), region, ids, ...(fault ? { fault } : {}) });
    if (fault) throw FakeCloud.error(fault);
    return ids.map((id) => {
      const s = this.snapshots.get(id);
      if (!s) return { region, snapshotId: id, state: 'failed', progress: 0, rawState: 'absent' };
      return {
        region,
        snapshotId: id,
        ...this.state(s),
        ...(s.failMessage !== undefined && this.state(s).state === 'failed'
          ? { message: s.failMessage }
          : {}),
      };
    });
  }

  cancel(ref: SnapshotRef): CancelResult {
    this.calls.push({ op: 'cancel', at: this.clock.now(), region: ref.region, ids: [ref.snapshotId] });
    const s = this.snapshots.get(ref.snapshotId);
    if (!s || s.deleted) {
      return { ...ref, takesEffect: 'already-gone', message: 'nothing to delete' };
    }
    s.deleted = true;
    return { ...ref, takesEffect: 'immediate', message: 'deleted' };
  }
}

export const FAKE_CAPABILITIES = defineCapabilities({
  crossRegionCopy: true,
  sameRegionEncryptedCopy: true,
  encryptOnCopy: true,
  changeKeyOnCopy: true,
  cancelByDelete: true,
  cancelTakesEffect: 'immediate',
  tagsOnCopy: true,
  maxUserTags: 10,
  nativeIdempotencyToken: true,
  maxConcurrentCopiesPerRegion: 5,
  maxIdsPerStatusCall: 100,
});

/** A copier over a {@link FakeCloud}. One retry attempt by default so faults reach the orchestrator. */
export class FakeCopier extends AbstractSnapshotCopier {
  readonly cloud: FakeCloud;
  readonly account: string;
  /** Every status() call the orchestrator made: the refs it asked for. */
  readonly statusCalls: (readonly SnapshotRef[])[] = [];

  constructor(
    cloud: FakeCloud,
    options: {
      capabilities?: Partial<Capabilities>;
      retry?: RetryPolicy;
      account?: string;
      provider?: string;
    } = {},
  ) {
    super(options.provider ?? 'fake', defineCapabilities({ ...FAKE_CAPABILITIES, ...options.capabilities }), {
      clock: cloud.clock,
      retry: options.retry ?? { maxAttempts: 1, baseDelayMs: 100, maxDelayMs: 1000 },
    });
    this.cloud = cloud;
    this.account = options.account ?? '111111111111';
  }

  override async status(refs: readonly SnapshotRef[], options?: CallOptions): Promise<CopyStatus[]> {
    this.statusCalls.push(refs.map((r) => ({ region: r.region, snapshotId: r.snapshotId })));
    return super.status(refs, options);
  }

  protected override async _plan(req: NormalizedCopyRequest): Promise<CopyPlan> {
    this.cloud.plan(req.source.region, req.source.snapshotId);
    return {
      provider: this.provider,
      request: req,
      source: {
        region: req.source.region,
        snapshotId: req.source.snapshotId,
        ownership: 'owned',
        encrypted: false,
        sizeGiB: 8,
      },
      destination: { region: req.destination.region },
      encryption: { encrypted: false, keySource: 'none' },
      transfer: 'full',
      sizeBasis: 'snapshot',
      billableGiB: { transfer: 8, storage: 8, timeBased: 0 },
      kms: { customerManagedKey: false, serviceKey: false },
      reasons: ['fake: full copy'],
    };
  }

  #observed(
    region: string,
    s: FakeSnapshot,
    status: Pick<CopyStatus, 'state' | 'progress' | 'rawState' | 'message'>,
  ): ObservedCopy {
    return {
      region,
      id: s.id,
      state: status.state,
      progress: status.progress,
      rawState: status.rawState,
      ...(status.message === undefined ? {} : { message: status.message }),
      tags: { [LINEAGE_TAGS.clientToken]: s.clientToken },
      createdAt: s.startedAt,
    };
  }

  protected override async _findByToken(region: string, token: string): Promise<ObservedCopy[]> {
    return this.cloud.find(region, token).map((s) => this.#observed(region, s, this.cloud.state(s)));
  }

  protected override async _startCopy(req: NormalizedCopyRequest): Promise<string> {
    return (
      await this.cloud.copy(this.account, req.destination.region, req.source.snapshotId, req.clientToken)
    ).snapshotId;
  }

  protected override async _describe(region: string, ids: readonly string[]): Promise<ObservedCopy[]> {
    return this.cloud.status(region, ids).flatMap((st) => {
      const s = this.cloud.snapshots.get(st.snapshotId);
      return s && !s.deleted ? [this.#observed(region, s, st)] : [];
    });
  }

  protected override async _delete(copy: ObservedCopy): Promise<void> {
    const result = this.cloud.cancel({ region: copy.region, snapshotId: copy.id });
    if (result.takesEffect === 'already-gone') throw new SnapcopyError('NOT_FOUND', result.message);
  }

  protected override _mapError(err: unknown): SnapcopyError {
    return new SnapcopyError('PROVIDER_ERROR', String(err), { cause: err });
  }
}

/** `n` requests from us-east-1 to `region`, sources `snap-src-<i>`. */
export function requests(n: number, region = 'eu-west-1', prefix = 'snap-src') {
  return Array.from({ length: n }, (_, i) => ({
    source: { region: 'us-east-1', snapshotId: `${prefix}-${i}` },
    destination: { region },
  }));
}
