// Hung endpoints, deadlines and aborts against the ECS simulator over 127.0.0.1, through
// the real SDK. The simulator's 'hang-after' fault applies a request and never answers.
// The ECS SDK takes no abort signal: the adapter's deadline is what ends a call, and an
// abort returns at once while the SDK's own read timeout closes the socket later.
import { is, LINEAGE_TAGS, type SnapcopyError, systemClock } from '@snapcopy/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HANGZHOU, makeSimHarness, SHANGHAI, type SimHarness } from './support/sim-harness.js';

const REQUEST_TIMEOUT_MS = 400;
/** A test bound: far above one request timeout, far below "hangs until killed". */
const TEST_BOUND_MS = 10_000;
const NO_RETRY = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

let h: SimHarness;
beforeEach(async () => {
  h = await makeSimHarness('server');
});
afterEach(async () => {
  await h.close();
});

const source = () => h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 8 });
const request = (snapshotId: string) => ({
  source: { region: HANGZHOU, snapshotId },
  destination: { region: SHANGHAI },
});
const requests = (operation: string) =>
  h.sim.world.requests.entries().filter((e) => e.operation === operation);

describe('a hung endpoint: every call ends within its request timeout', { timeout: TEST_BOUND_MS }, () => {
  it('plan: no reply in time is a retryable PROVIDER_ERROR, after one request', async () => {
    const src = source();
    h.sim.faults.add({ operation: 'DescribeSnapshots', kind: 'hang-after' });
    const err = (await h
      .copier({ requestTimeoutMs: REQUEST_TIMEOUT_MS, retry: NO_RETRY })
      .plan(request(src.id))
      .catch((e: unknown) => e)) as SnapcopyError;
    expect(err.code, err.message).toBe('PROVIDER_ERROR');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/DescribeSnapshots: no reply in time/);
    expect(requests('DescribeSnapshots')).toHaveLength(1);
  });

  it('copy: a hung CopySnapshot may have been applied; the token lookup finds it, and one copy exists', async () => {
    const src = source();
    h.sim.faults.add({ operation: 'CopySnapshot', kind: 'hang-after' });
    const c = h.copier({
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const handle = await c.copy({ ...request(src.id), clientToken: 'hang-token-1' });
    const withToken = [...h.sim.world.snapshots.values()].filter(
      (s) => s.tags.get(LINEAGE_TAGS.clientToken) === 'hang-token-1',
    );
    expect(withToken.map((s) => s.id)).toEqual([handle.snapshotId]);
    expect(requests('CopySnapshot')).toHaveLength(1);
  });

  it("status: the caller's abort ends a hung call at once with CANCELLED", async () => {
    h.sim.faults.add({ operation: 'DescribeSnapshots', kind: 'hang-after' });
    const caller = new AbortController();
    const pending = h
      .copier({ requestTimeoutMs: 60_000, retry: NO_RETRY })
      .status([{ region: SHANGHAI, snapshotId: 's-abc123' }], { signal: caller.signal })
      .catch((e: unknown) => e);
    await expect.poll(() => h.sim.faults.injected['hang-after'], { timeout: 5_000, interval: 10 }).toBe(1);
    caller.abort(new Error('SIGINT'));
    expect(is(await pending, 'CANCELLED')).toBe(true);
  });

  it('wait: a status call hung past the deadline ends the wait with TIMEOUT (no retry), the copy left alone', async () => {
    const src = source();
    const c = h.copier({
      clock: systemClock,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const handle = await c.copy(request(src.id));
    h.sim.faults.add({ operation: 'DescribeSnapshots', kind: 'hang-after', times: 10 });
    const before = requests('DescribeSnapshots').length;
    const err = (await c.wait(handle, { timeoutMs: 100 }).catch((e: unknown) => e)) as SnapcopyError;
    expect(err.code, err.message).toBe('TIMEOUT');
    expect(requests('DescribeSnapshots').length - before).toBe(1);
    expect(h.sim.world.snapshots.has(handle.snapshotId)).toBe(true);
  });
});
