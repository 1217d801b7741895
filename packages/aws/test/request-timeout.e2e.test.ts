// Hung endpoints, deadlines and aborts against the EC2 simulator over 127.0.0.1, through
// the real SDK. The simulator's 'hang-after' fault accepts a request, applies it and never
// answers: without a deadline of its own a call would hang for the SDK's 15-minute socket
// timeout. Cloud-side effects are read from the simulator's world.
import { is, type SnapcopyError } from '@snapcopy/core';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import { Ec2Simulator, type SimServer } from '@snapcopy/testkit';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AwsEbsCopierOptions,
  type AwsEbsSnapshotCopier,
  type AwsEc2ImageCopier,
  createAwsEbsCopier,
  createAwsImageCopier,
} from '../src/index.js';

const CALLER = '111122223333';
const EAST = 'us-east-1';
const WEST = 'us-west-2';
/** Short enough to keep the tests quick, long enough for a loaded machine to answer the others. */
const REQUEST_TIMEOUT_MS = 400;
/** A test bound: far above one request timeout, far below "hangs until killed". */
const TEST_BOUND_MS = 10_000;

let sim: Ec2Simulator;
let server: SimServer;
const copiers: (AwsEbsSnapshotCopier | AwsEc2ImageCopier)[] = [];

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  sim = new Ec2Simulator({ throttling: false });
  sim.addRegions(EAST, WEST);
  sim.addAccount({
    id: CALLER,
    accessKeyId: 'AKIAHANGCALLER000001',
    secretAccessKey: 'hang-caller-secret-0123456789',
  });
  server = await sim.listen();
});

afterEach(async () => {
  for (const c of copiers.splice(0)) c.destroy();
  await server.close();
  nock.enableNetConnect();
});

const copier = (over: Partial<AwsEbsCopierOptions> = {}) => {
  const c = createAwsEbsCopier({
    credentials: sim.credentials(CALLER),
    endpoint: server.url,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    ...over,
  });
  copiers.push(c);
  return c;
};
const request = (snapshotId: string) => ({
  source: { region: EAST, snapshotId },
  destination: { region: WEST },
});
const requests = (operation: string) => sim.world.requests.entries().filter((e) => e.operation === operation);

describe('a hung endpoint: every call ends within its request timeout', { timeout: TEST_BOUND_MS }, () => {
  it('plan: no reply in time is a retryable PROVIDER_ERROR naming the timeout, after one request', async () => {
    const src = sim.addSnapshot({ account: CALLER, region: EAST, sizeGiB: 8 });
    sim.faults.add({ operation: 'DescribeSnapshots', kind: 'hang-after' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const err = (await copier()
        .plan(request(src.id))
        .catch((e: unknown) => e)) as SnapcopyError;
      expect(err.code, err.message).toBe('PROVIDER_ERROR');
      expect(err.retryable).toBe(true);
      expect(err.providerCode).toBe('ETIMEDOUT');
      expect(err.message).toMatch(/DescribeSnapshots in us-east-1 got no reply in time/);
      expect(requests('DescribeSnapshots')).toHaveLength(1);
      // The SDK's own request timeout throws instead of logging a warning line.
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('copy: a hung CopySnapshot is possibly applied; the token lookup finds the copy, and only one exists', async () => {
    const src = sim.addSnapshot({ account: CALLER, region: EAST, sizeGiB: 8 });
    sim.faults.add({ operation: 'CopySnapshot', kind: 'hang-after' });
    const c = copier({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } });
    const handle = await c.copy({ ...request(src.id), clientToken: 'hang-token-1' });
    const withToken = [...sim.world.snapshots.values()].filter(
      (s) => s.tags.get(LINEAGE_TAGS.clientToken) === 'hang-token-1',
    );
    expect(withToken.map((s) => s.id)).toEqual([handle.snapshotId]);
    expect(handle.reused).toBe(true);
    expect(requests('CopySnapshot')).toHaveLength(1);
  });

  it("status: the caller's abort ends a hung call at once with CANCELLED", async () => {
    sim.faults.add({ operation: 'DescribeSnapshots', kind: 'hang-after' });
    const caller = new AbortController();
    const pending = copier({ requestTimeoutMs: 60_000 })
      .status([{ region: WEST, snapshotId: 'snap-0123456789abcdef0' }], { signal: caller.signal })
      .catch((e: unknown) => e);
    await expect.poll(() => sim.faults.injected['hang-after'], { timeout: 5_000, interval: 10 }).toBe(1);
    caller.abort(new Error('SIGINT'));
    expect(is(await pending, 'CANCELLED')).toBe(true);
  });

  it('wait: a status call hung past the deadline ends the wait with TIMEOUT (no retry), the copy left alone', async () => {
    const src = sim.addSnapshot({ account: CALLER, region: EAST, sizeGiB: 8 });
    const c = copier({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } });
    const handle = await c.copy(request(src.id));
    sim.faults.add({ operation: 'DescribeSnapshots', kind: 'hang-after', times: 10 });
    const before = requests('DescribeSnapshots').length;
    const err = (await c.wait(handle, { timeoutMs: 100 }).catch((e: unknown) => e)) as SnapcopyError;
    expect(err.code, err.message).toBe('TIMEOUT');
    expect(requests('DescribeSnapshots').length - before).toBe(1);
    expect(sim.world.snapshots.has(handle.snapshotId)).toBe(true);
  });
});

describe('options and ids are checked before any request', () => {
  it.each([
    [
      'an endpoint with credentials',
      { endpoint: 'http://admin:hunter2@127.0.0.1:4566' },
      /carries credentials/,
    ],
    ['a malformed endpoint', { endpoint: 'http://local host' }, /spaces/],
    ['an endpoint without a scheme', { endpoint: '127.0.0.1:4566' }, /not an http\(s\) URL/],
    ['a zero request timeout', { requestTimeoutMs: 0 }, /requestTimeoutMs/],
    ['a connection timeout beyond a timer', { connectionTimeoutMs: 2 ** 31 }, /connectionTimeoutMs/],
  ])('%s: INVALID_REQUEST when the copier is made, credentials never echoed', (_name, options, why) => {
    let caught: unknown;
    try {
      createAwsEbsCopier({ credentials: sim.credentials(CALLER), ...options });
    } catch (err) {
      caught = err;
    }
    expect(is(caught, 'INVALID_REQUEST')).toBe(true);
    expect((caught as Error).message).toMatch(why);
    expect((caught as Error).message).not.toContain('hunter2');
  });

  it.each([
    ['status', (c: AwsEbsSnapshotCopier) => c.status([{ region: WEST, snapshotId: 'snap-xyz' }])],
    ['wait', (c: AwsEbsSnapshotCopier) => c.wait({ region: WEST, snapshotId: 's-bp1abc' })],
    ['cancel', (c: AwsEbsSnapshotCopier) => c.cancel({ region: WEST, snapshotId: 'snap-0123456789ABCDEF0' })],
  ])('%s refuses an id that is not an EBS snapshot id, with no request', async (_name, call) => {
    const err = (await call(copier()).catch((e: unknown) => e)) as SnapcopyError;
    expect(is(err, 'INVALID_REQUEST')).toBe(true);
    expect(err.issues[0]?.path).toBe('refs.0.snapshotId');
    expect(sim.world.requests.entries()).toHaveLength(0);
  });
});

describe('image calls: CopyImage, DescribeImages and DeregisterImage end within the request timeout', {
  timeout: TEST_BOUND_MS,
}, () => {
  const imageCopier = (over: Partial<AwsEbsCopierOptions> = {}) => {
    const c = createAwsImageCopier({
      credentials: sim.credentials(CALLER),
      endpoint: server.url,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      ...over,
    });
    copiers.push(c);
    return c;
  };
  const ami = () => {
    const root = sim.addSnapshot({ account: CALLER, region: EAST, sizeGiB: 8 });
    return sim.addImage({ account: CALLER, region: EAST, name: `hang-${root.id}`, snapshotIds: [root.id] });
  };
  const imageRequest = (imageId: string) => ({
    source: { region: EAST, imageId },
    destination: { region: WEST },
  });

  it('plan: a hung DescribeImages is a retryable PROVIDER_ERROR naming the timeout, after one request', async () => {
    const image = ami();
    sim.faults.add({ operation: 'DescribeImages', kind: 'hang-after' });
    const err = (await imageCopier()
      .plan(imageRequest(image.id))
      .catch((e: unknown) => e)) as SnapcopyError;
    expect(err.code, err.message).toBe('PROVIDER_ERROR');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/DescribeImages in us-east-1 got no reply in time/);
    expect(requests('DescribeImages')).toHaveLength(1);
  });

  it('copy: a hung CopyImage may have been applied; the token lookup finds the AMI, and one exists', async () => {
    const image = ami();
    sim.faults.add({ operation: 'CopyImage', kind: 'hang-after' });
    const c = imageCopier({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } });
    const handle = await c.copy({ ...imageRequest(image.id), clientToken: 'hang-image-1' });
    const copies = sim.images().filter((i) => i.tags.get(LINEAGE_TAGS.clientToken) === 'hang-image-1');
    expect(copies.map((i) => i.id)).toEqual([handle.imageId]);
    expect(requests('CopyImage')).toHaveLength(1);
  });

  it("status: the caller's abort ends a hung DescribeImages at once with CANCELLED", async () => {
    sim.faults.add({ operation: 'DescribeImages', kind: 'hang-after' });
    const caller = new AbortController();
    const pending = imageCopier({ requestTimeoutMs: 60_000 })
      .status([{ region: WEST, imageId: 'ami-0123456789abcdef0' }], { signal: caller.signal })
      .catch((e: unknown) => e);
    await expect.poll(() => sim.faults.injected['hang-after'], { timeout: 5_000, interval: 10 }).toBe(1);
    caller.abort(new Error('SIGINT'));
    expect(is(await pending, 'CANCELLED')).toBe(true);
  });

  it('cancel: a hung DeregisterImage ends within the timeout, as a retryable error that may have been applied', async () => {
    const image = ami();
    const c = imageCopier();
    const handle = await c.copy(imageRequest(image.id));
    sim.faults.add({ operation: 'DeregisterImage', kind: 'hang-after' });
    const err = (await c.cancel(handle).catch((e: unknown) => e)) as SnapcopyError;
    expect(err.code, err.message).toBe('PROVIDER_ERROR');
    expect(err.ambiguous).toBe(true);
    expect(err.message).toMatch(/DeregisterImage in us-west-2 got no reply in time/);
    expect(requests('DeregisterImage')).toHaveLength(1);
  });

  it.each([
    ['status', (c: AwsEc2ImageCopier) => c.status([{ region: WEST, imageId: 'ami-xyz' }])],
    ['wait', (c: AwsEc2ImageCopier) => c.wait({ region: WEST, imageId: 'snap-0123456789abcdef0' })],
    ['cancel', (c: AwsEc2ImageCopier) => c.cancel({ region: WEST, imageId: 'ami-0123456789ABCDEF0' })],
  ])('%s refuses an id that is not an AMI id, with no request', async (_name, call) => {
    const err = (await call(imageCopier()).catch((e: unknown) => e)) as SnapcopyError;
    expect(is(err, 'INVALID_REQUEST')).toBe(true);
    expect(err.issues[0]?.path).toBe('refs.0.imageId');
    expect(sim.world.requests.entries()).toHaveLength(0);
  });
});
