import { describe, expect, it } from 'vitest';
import {
  AbstractSnapshotCopier,
  type CallOptions,
  type CancelResult,
  type Clock,
  type CopyPlan,
  type CopyStatus,
  defineCapabilities,
  is,
  type NormalizedCopyRequest,
  SnapcopyError,
  type SnapshotRef,
} from '../src/index.js';

/** Sleeps jump time forward at once: enough for a single-threaded wait loop. */
class JumpClock implements Clock {
  t = 0;
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

const caps = defineCapabilities({
  crossRegionCopy: true,
  cancelByDelete: true,
  cancelTakesEffect: 'immediate',
  maxIdsPerStatusCall: 3,
  tagsOnCopy: true,
  maxUserTags: 10,
});

class FakeCopier extends AbstractSnapshotCopier {
  statusCalls: { region: string; ids: readonly string[] }[] = [];
  copyCalls: string[] = [];
  failCopies: SnapcopyError[] = [];
  progress = new Map<string, number>();
  planCalls = 0;
  constructor(clock: Clock, capabilities = caps) {
    super('fake', capabilities, { clock, retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 } });
  }
  protected async _plan(request: NormalizedCopyRequest): Promise<CopyPlan> {
    this.planCalls++;
    if (request.source.snapshotId === 'sdk-crash') throw new TypeError('socket exploded');
    return {
      provider: 'fake',
      request,
      source: {
        region: request.source.region,
        snapshotId: request.source.snapshotId,
        ownership: 'owned',
        encrypted: false,
        sizeGiB: 8,
      },
      destination: { region: request.destination.region },
      encryption: { encrypted: false, keySource: 'none' },
      transfer: 'full',
      sizeBasis: 'snapshot',
      billableGiB: { transfer: 8, storage: 8, timeBased: 0 },
      kms: { customerManagedKey: false, serviceKey: false },
      reasons: ['test'],
    };
  }
  protected async _copy(request: NormalizedCopyRequest): Promise<{ snapshotId: string; reused: boolean }> {
    this.copyCalls.push(request.clientToken);
    const fail = this.failCopies.shift();
    if (fail) throw fail;
    return { snapshotId: `copy-${request.clientToken}`, reused: false };
  }
  protected async _status(region: string, ids: readonly string[], _o: CallOptions): Promise<CopyStatus[]> {
    this.statusCalls.push({ region, ids });
    return ids.map((id) => {
      const p = Math.min(100, (this.progress.get(id) ?? 0) + 25);
      this.progress.set(id, p);
      return {
        region,
        snapshotId: id,
        state: p >= 100 ? 'completed' : 'pending',
        progress: p,
        rawState: 'x',
      };
    });
  }
  protected async _cancel(ref: SnapshotRef): Promise<CancelResult> {
    return { ...ref, takesEffect: 'immediate', message: 'gone' };
  }
  protected _mapError(err: unknown): SnapcopyError {
    return new SnapcopyError('PROVIDER_ERROR', `mapped: ${(err as Error).message}`, { cause: err });
  }
}

const request = {
  source: { region: 'us-east-1', snapshotId: 'snap-1' },
  destination: { region: 'us-west-2' },
};

describe('AbstractSnapshotCopier', () => {
  it('rejects invalid input before any provider call', async () => {
    const c = new FakeCopier(new JumpClock());
    await expect(c.copy({ ...request, retentionDays: 0 })).rejects.toSatisfy((e) => is(e, 'INVALID_REQUEST'));
    expect(c.planCalls + c.copyCalls.length).toBe(0);
  });

  it('refuses a request needing a missing capability with UNSUPPORTED before any provider call', async () => {
    const c = new FakeCopier(new JumpClock());
    await expect(c.plan({ ...request, retentionDays: 3 })).rejects.toSatisfy((e) => is(e, 'UNSUPPORTED'));
    expect(c.planCalls).toBe(0);
  });

  it('retries a retryable copy failure with the same client token', async () => {
    const c = new FakeCopier(new JumpClock());
    c.failCopies.push(
      new SnapcopyError('THROTTLED', 'slow'),
      new SnapcopyError('PROVIDER_ERROR', 'maybe', { retryable: true }),
    );
    const handle = await c.copy({ ...request, clientToken: 'tok-1' });
    expect(c.copyCalls).toEqual(['tok-1', 'tok-1', 'tok-1']);
    expect(handle.snapshotId).toBe('copy-tok-1');
    expect(handle.clientToken).toBe('tok-1');
  });

  it('does not retry a non-retryable failure', async () => {
    const c = new FakeCopier(new JumpClock());
    c.failCopies.push(new SnapcopyError('ACCESS_DENIED', 'no'));
    await expect(c.copy(request)).rejects.toSatisfy((e) => is(e, 'ACCESS_DENIED'));
    expect(c.copyCalls).toHaveLength(1);
  });

  it('generates one client token per copy call and keeps it across retries', async () => {
    const c = new FakeCopier(new JumpClock());
    c.failCopies.push(new SnapcopyError('THROTTLED', 'slow'));
    const h = await c.copy(request);
    expect(c.copyCalls).toEqual([h.clientToken, h.clientToken]);
    expect(h.clientToken).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('wraps anything an adapter throws into a SnapcopyError via _mapError', async () => {
    const c = new FakeCopier(new JumpClock());
    await expect(
      c.plan({ ...request, source: { region: 'us-east-1', snapshotId: 'sdk-crash' } }),
    ).rejects.toSatisfy((e) => is(e, 'PROVIDER_ERROR') && (e as Error).message.includes('socket exploded'));
  });

  it('uses a given plan instead of planning again, and refuses a plan made for another request', async () => {
    const c = new FakeCopier(new JumpClock());
    const plan = await c.plan({ ...request, clientToken: 't-9' });
    await c.copy(request, { plan });
    expect(c.planCalls).toBe(1);
    expect(c.copyCalls).toEqual(['t-9']);
    await expect(c.copy({ ...request, destination: { region: 'eu-west-1' } }, { plan })).rejects.toSatisfy(
      (e) => is(e, 'INVALID_REQUEST'),
    );
  });

  it('batches status by region and by maxIdsPerStatusCall, answering in the order asked', async () => {
    const c = new FakeCopier(new JumpClock());
    const refs = [
      ...['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => ({ region: 'r-east-1', snapshotId: id })),
      { region: 'r-west-1', snapshotId: 'x' },
    ];
    const out = await c.status(refs);
    expect(out.map((s) => s.snapshotId)).toEqual(refs.map((r) => r.snapshotId));
    expect(c.statusCalls.map((s) => s.ids.length).sort()).toEqual([1, 1, 3, 3]);
  });

  it('wait polls until terminal with growing delays and reports progress', async () => {
    const clock = new JumpClock();
    const c = new FakeCopier(clock);
    const seen: number[] = [];
    const final = await c.wait(
      { region: 'r-east-1', snapshotId: 'w' },
      { minDelayMs: 1000, maxDelayMs: 2000, onProgress: (s) => seen.push(s.progress) },
    );
    expect(final.state).toBe('completed');
    expect(seen).toEqual([25, 50, 75, 100]);
    expect(clock.sleeps).toEqual([1000, 1500, 2000]);
  });

  it('wait times out with TIMEOUT and the last status, leaving the copy alone', async () => {
    const clock = new JumpClock();
    const c = new FakeCopier(clock);
    const err = await c
      .wait({ region: 'r-east-1', snapshotId: 'slow' }, { timeoutMs: 1500, minDelayMs: 1000 })
      .catch((e) => e);
    expect(is(err, 'TIMEOUT')).toBe(true);
    expect((err as SnapcopyError).details?.lastStatus).toMatchObject({
      snapshotId: 'slow',
      state: 'pending',
    });
  });

  it.each([
    ['timeoutMs NaN', { timeoutMs: Number.NaN }, 'timeoutMs'],
    ['timeoutMs negative', { timeoutMs: -1 }, 'timeoutMs'],
    ['timeoutMs infinite', { timeoutMs: Number.POSITIVE_INFINITY }, 'timeoutMs'],
    ['minDelayMs NaN', { minDelayMs: Number.NaN }, 'minDelayMs'],
    ['minDelayMs negative', { minDelayMs: -5 }, 'minDelayMs'],
    ['maxDelayMs NaN', { maxDelayMs: Number.NaN }, 'maxDelayMs'],
    ['maxDelayMs infinite', { maxDelayMs: Number.POSITIVE_INFINITY }, 'maxDelayMs'],
  ])(
    'wait refuses %s with INVALID_REQUEST before any status call (rule: finite, not negative)',
    async (_n, options, path) => {
      const c = new FakeCopier(new JumpClock());
      const err = await c.wait({ region: 'r-east-1', snapshotId: 'w' }, options).catch((e) => e);
      expect(is(err, 'INVALID_REQUEST')).toBe(true);
      expect((err as SnapcopyError).issues.map((i) => i.path)).toEqual([path]);
      expect(c.statusCalls).toHaveLength(0);
    },
  );

  it('wait rejects with CANCELLED when aborted', async () => {
    const c = new FakeCopier(new JumpClock());
    const ac = new AbortController();
    ac.abort();
    await expect(c.wait({ region: 'r', snapshotId: 'x' }, { signal: ac.signal })).rejects.toSatisfy((e) =>
      is(e, 'CANCELLED'),
    );
  });

  it('cancel is UNSUPPORTED when the manifest says cancelByDelete is false', async () => {
    const c = new FakeCopier(new JumpClock(), defineCapabilities({ crossRegionCopy: true }));
    await expect(c.cancel({ region: 'r', snapshotId: 'x' })).rejects.toSatisfy((e) => is(e, 'UNSUPPORTED'));
  });

  it('status refuses malformed refs with INVALID_REQUEST', async () => {
    const c = new FakeCopier(new JumpClock());
    await expect(c.status([{ region: '', snapshotId: 'x' }])).rejects.toSatisfy((e) =>
      is(e, 'INVALID_REQUEST'),
    );
    expect(c.statusCalls).toHaveLength(0);
  });

  it('adds a cost only when the caller gives a price table', async () => {
    const c = new FakeCopier(new JumpClock());
    expect((await c.plan(request)).cost).toBeUndefined();
    const priced = await c.plan(request, {
      prices: {
        currency: 'USD',
        source: 'test',
        asOf: '2026-01-01',
        transferPerGiB: { '*': 0.02 },
        storagePerGiBMonth: 0.05,
      },
    });
    expect(priced.cost?.oneOff).toBeCloseTo(0.16);
  });
});
