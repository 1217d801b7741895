import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FaultInjector,
  mountNock,
  type SimHandler,
  SimWorld,
  startSimServer,
  TokenBucket,
  VirtualClock,
} from '../../src/sim/index.js';

function world(clock = new VirtualClock({ autoAdvance: false })) {
  let n = 0;
  const w = new SimWorld({
    clock,
    cloud: 'ec2',
    newSnapshotId: () => `snap-${String(++n).padStart(17, '0')}`,
    throughputMiBps: 1024,
    minCopyMs: 1000,
  });
  w.addAccount({ id: '111111111111', accessKeyId: 'AKID1', secretAccessKey: 'secret1' });
  w.addVolume({ id: 'vol-1', region: 'us-east-1', account: '111111111111', sizeGiB: 100, encrypted: false });
  const src = w.addSnapshot({
    region: 'us-east-1',
    account: '111111111111',
    volumeId: 'vol-1',
    volumeSizeGiB: 100,
    sizeGiB: 60,
    changedGiB: 5,
    encrypted: false,
  });
  return { w, clock, src };
}
const billing = {
  cloud: 'ec2' as const,
  account: '111111111111',
  sourceSnapshotId: 'x',
  sourceRegion: 'us-east-1',
  destinationRegion: 'us-west-2',
  sizeBasis: 'snapshot' as const,
  transfer: 'full' as const,
  transferGiB: 60,
  storageGiB: 60,
  timeBasedGiB: 0,
};

describe('VirtualClock', () => {
  it('advance wakes sleeps in time order and never before they are due', async () => {
    const clock = new VirtualClock({ autoAdvance: false, start: 0 });
    const woke: number[] = [];
    void clock.sleep(300).then(() => woke.push(300));
    void clock.sleep(100).then(() => woke.push(100));
    clock.advance(99);
    await Promise.resolve();
    expect(woke).toEqual([]);
    clock.advance(250);
    await new Promise((r) => setImmediate(r));
    expect(woke).toEqual([100, 300]);
    expect(clock.now()).toBe(349);
  });

  it('auto-advance runs a long sleep at once in virtual time', async () => {
    const clock = new VirtualClock({ start: 0 });
    const t0 = Date.now();
    await clock.sleep(3_600_000);
    expect(clock.now()).toBe(3_600_000);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('an aborted sleep rejects and leaves no timer', async () => {
    const clock = new VirtualClock({ autoAdvance: false });
    const ac = new AbortController();
    const p = clock.sleep(1000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('SimWorld copy tasks', () => {
  it('a copy is pending with growing progress, then completed at the throughput-derived time', () => {
    const { w, clock, src } = world();
    const copy = w.startCopy({
      source: src,
      account: '111111111111',
      region: 'us-west-2',
      encrypted: false,
      movedGiB: 60,
      billing,
    });
    expect(copy.state).toBe('pending');
    clock.advance(30_000);
    w.advance();
    expect(copy.state).toBe('pending');
    expect(copy.progress).toBe(50);
    clock.advance(30_000);
    w.advance();
    expect(copy.state).toBe('completed');
    expect(copy.progress).toBe(100);
    expect(w.ledger.forSnapshot(copy.id)?.transferGiB).toBe(60);
  });

  it('an async failure turns the copy to error with the message', () => {
    const { w, clock, src } = world();
    const copy = w.startCopy({
      source: src,
      account: '111111111111',
      region: 'us-west-2',
      encrypted: true,
      movedGiB: 60,
      failMessage: 'Given key ID is not accessible',
      billing,
    });
    clock.advance(10_000);
    w.advance();
    expect(copy.state).toBe('error');
    expect(copy.stateMessage).toBe('Given key ID is not accessible');
  });

  it('a delete requested while pending is applied only when the copy completes', () => {
    const { w, clock, src } = world();
    const copy = w.startCopy({
      source: src,
      account: '111111111111',
      region: 'us-west-2',
      encrypted: false,
      movedGiB: 60,
      billing,
    });
    copy.copy!.deleteRequested = true;
    clock.advance(59_000);
    w.advance();
    expect(w.snapshots.has(copy.id)).toBe(true);
    clock.advance(1_000);
    w.advance();
    expect(w.snapshots.has(copy.id)).toBe(false);
    expect(w.deleted.has(copy.id)).toBe(true);
  });

  it('retention releases a completed copy after its days', () => {
    const { w, clock, src } = world();
    const copy = w.startCopy({
      source: src,
      account: '111111111111',
      region: 'us-west-2',
      encrypted: false,
      movedGiB: 1,
      retentionDays: 2,
      billing,
    });
    clock.advance(86_400_000);
    w.advance();
    expect(w.snapshots.has(copy.id)).toBe(true);
    clock.advance(86_400_000 + 1_000);
    w.advance();
    expect(w.snapshots.has(copy.id)).toBe(false);
  });

  it('counts pending copies per account and region', () => {
    const { w, src } = world();
    for (let i = 0; i < 3; i++)
      w.startCopy({
        source: src,
        account: '111111111111',
        region: 'us-west-2',
        encrypted: false,
        movedGiB: 60,
        billing,
      });
    expect(w.pendingCopies('111111111111', 'us-west-2')).toBe(3);
    expect(w.pendingCopies('111111111111', 'us-east-1')).toBe(0);
  });
});

describe('faults', () => {
  it('counted rules affect exactly the next N matching requests', () => {
    const f = new FaultInjector().throttleNext('CopySnapshot', 2);
    expect(f.pick('DescribeSnapshots')).toBeUndefined();
    expect(f.pick('CopySnapshot')?.kind).toBe('throttle');
    expect(f.pick('CopySnapshot')?.kind).toBe('throttle');
    expect(f.pick('CopySnapshot')).toBeUndefined();
  });

  it('chaos rates are reproducible for a seed and close to the asked rate', () => {
    const draw = () => {
      const f = new FaultInjector(42).chaos({ throttle: 0.1 });
      return Array.from({ length: 5000 }, () => f.pick('X')?.kind ?? '-');
    };
    const a = draw();
    expect(draw()).toEqual(a);
    const rate = a.filter((k) => k === 'throttle').length / a.length;
    expect(rate).toBeGreaterThan(0.08);
    expect(rate).toBeLessThan(0.12);
  });

  it('a token bucket empties and refills in virtual time', () => {
    const b = new TokenBucket(2, 1, 0);
    expect([b.take(0), b.take(0), b.take(0)]).toEqual([true, true, false]);
    expect(b.take(999)).toBe(false);
    expect(b.take(1000)).toBe(true);
  });
});

describe('mountings', () => {
  const echo: SimHandler = {
    async handle(req) {
      if (req.body === 'drop') return { drop: true };
      return {
        status: 200,
        headers: { 'content-type': 'text/plain', 'x-seen-method': req.method },
        body: `${req.url}|${req.body}|${req.headers['x-test'] ?? ''}`,
      };
    },
  };
  afterEach(() => nock.cleanAll());

  it('the same handler answers over 127.0.0.1 and through nock', async () => {
    const server = await startSimServer(echo);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const viaHttp = await fetch(`${server.url}/?a=1`, {
        method: 'POST',
        body: 'hello',
        headers: { 'x-test': 'h' },
      });
      expect(await viaHttp.text()).toBe('/?a=1|hello|h');
    } finally {
      await server.close();
    }
    const mount = mountNock(echo, 'https://sim.example.test');
    try {
      const { request } = await import('node:https');
      const text = await new Promise<string>((resolve, reject) => {
        const r = request(
          'https://sim.example.test/?b=2',
          { method: 'POST', headers: { 'x-test': 'n' } },
          (res) => {
            let data = '';
            res.on('data', (c) => (data += c));
            res.on('end', () => resolve(data));
          },
        );
        r.on('error', reject);
        r.end('world');
      });
      expect(text).toBe('/?b=2|world|n');
    } finally {
      mount.stop();
    }
  });

  it('a dropped reply reaches the caller as a connection error on both mountings', async () => {
    const server = await startSimServer(echo);
    try {
      await expect(fetch(server.url, { method: 'POST', body: 'drop' })).rejects.toThrow();
    } finally {
      await server.close();
    }
  });
});
