// Hung endpoints, deadlines and aborts against the ECS simulator over 127.0.0.1, through
// the real SDK. The simulator's 'hang-after' fault applies a request and never answers.
// The ECS SDK takes no abort signal: the adapter's deadline is what ends a call, and an
// abort returns at once while the SDK's own read timeout closes the socket later.
import { is, type SnapcopyError, systemClock } from '@snapcopy/core';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
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

describe('image calls: CopyImage, DescribeImages and CancelCopyImage end within the request timeout', {
  timeout: TEST_BOUND_MS,
}, () => {
  const image = () => {
    const disk = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 8 });
    return h.sim.addImage({
      account: h.account,
      region: HANGZHOU,
      name: `hang-${disk.id}`,
      snapshotIds: [disk.id],
    });
  };
  const imageRequest = (imageId: string) => ({
    source: { region: HANGZHOU, imageId },
    destination: { region: SHANGHAI },
  });

  it('plan: a hung DescribeImages is a retryable PROVIDER_ERROR, after one request', async () => {
    const img = image();
    h.sim.faults.add({ operation: 'DescribeImages', kind: 'hang-after' });
    const err = (await h
      .imageCopier({ requestTimeoutMs: REQUEST_TIMEOUT_MS, retry: NO_RETRY })
      .plan(imageRequest(img.id))
      .catch((e: unknown) => e)) as SnapcopyError;
    expect(err.code, err.message).toBe('PROVIDER_ERROR');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/DescribeImages: no reply in time/);
    expect(requests('DescribeImages')).toHaveLength(1);
  });

  it('copy: a hung CopyImage may have been applied; the token lookup finds it, and one image exists', async () => {
    const img = image();
    h.sim.faults.add({ operation: 'CopyImage', kind: 'hang-after' });
    const c = h.imageCopier({
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const handle = await c.copy({ ...imageRequest(img.id), clientToken: 'hang-image-1' });
    expect(h.sim.image(handle.imageId)?.tags.get(LINEAGE_TAGS.clientToken)).toBe('hang-image-1');
    expect(requests('CopyImage')).toHaveLength(1);
  });

  it("status: the caller's abort ends a hung DescribeImages at once with CANCELLED", async () => {
    h.sim.faults.add({ operation: 'DescribeImages', kind: 'hang-after' });
    const caller = new AbortController();
    const pending = h
      .imageCopier({ requestTimeoutMs: 60_000, retry: NO_RETRY })
      .status([{ region: SHANGHAI, imageId: 'm-abc123' }], { signal: caller.signal })
      .catch((e: unknown) => e);
    await expect.poll(() => h.sim.faults.injected['hang-after'], { timeout: 5_000, interval: 10 }).toBe(1);
    caller.abort(new Error('SIGINT'));
    expect(is(await pending, 'CANCELLED')).toBe(true);
  });

  it('cancel: a hung CancelCopyImage ends within the timeout, as a retryable error that may have been applied', async () => {
    const img = image();
    const c = h.imageCopier({ requestTimeoutMs: REQUEST_TIMEOUT_MS, retry: NO_RETRY });
    const handle = await c.copy(imageRequest(img.id));
    h.sim.faults.add({ operation: 'CancelCopyImage', kind: 'hang-after' });
    const err = (await c.cancel(handle).catch((e: unknown) => e)) as SnapcopyError;
    expect(err.code, err.message).toBe('PROVIDER_ERROR');
    expect(err.ambiguous).toBe(true);
    expect(err.message).toMatch(/CancelCopyImage: no reply in time/);
    expect(requests('CancelCopyImage')).toHaveLength(1);
  });

  it.each([
    ['status', [{ region: SHANGHAI, imageId: 'ami-0123456789abcdef0' }]],
    ['wait', { region: SHANGHAI, imageId: 's-abc123' }],
    ['cancel', { region: SHANGHAI, imageId: 'M-ABC' }],
  ] as const)('%s refuses an id that is not an ECS image id, with no request', async (name, ref) => {
    const c = h.imageCopier();
    const call =
      name === 'status'
        ? c.status(ref as never)
        : name === 'wait'
          ? c.wait(ref as never)
          : c.cancel(ref as never);
    const err = (await call.catch((e: unknown) => e)) as SnapcopyError;
    expect(is(err, 'INVALID_REQUEST')).toBe(true);
    expect(err.issues[0]?.path).toBe('refs.0.imageId');
    expect(h.sim.world.requests.entries()).toHaveLength(0);
  });
});
