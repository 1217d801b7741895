import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Ec2Simulator } from '../../src/ec2/index.js';
import { EcsSimulator } from '../../src/ecs/index.js';
import { ExpiryQueue, parseDuration, ScaledClock, VirtualClock } from '../../src/sim/index.js';
import { blockNetwork, copyRequest, type EcsHarness, HANGZHOU, makeHarness } from '../ecs/harness.js';

const DAY = 86_400_000;

beforeAll(blockNetwork);

describe('parseDuration (one row per accepted or refused form)', () => {
  it.each([
    ['3d', 3 * DAY],
    ['12h', 12 * 3_600_000],
    ['1d12h', 36 * 3_600_000],
    ['90m', 90 * 60_000],
    ['30s', 30_000],
    ['250ms', 250],
    ['2w', 14 * DAY],
    ['1.5d', 1.5 * DAY],
    [' 400d ', 400 * DAY],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['', '3', 'd', '3 days', '-1d', '3x', '1d 2h'])('%j is refused', (text) => {
    expect(() => parseDuration(text)).toThrow(RangeError);
  });
});

describe('ExpiryQueue', () => {
  it('pops what is due, earliest first, whatever the order pushed', () => {
    const q = new ExpiryQueue();
    const times = [50, 10, 40, 10, 30, 20, 60];
    for (const [i, t] of times.entries()) q.push(`s${i}`, t);
    expect(q.popDue(9)).toEqual([]);
    expect(q.popDue(30)).toEqual(expect.arrayContaining(['s1', 's3', 's5', 's4']));
    expect(q.size).toBe(3);
    expect(q.peek()).toBe(40);
    expect(q.popDue(1000)).toEqual(['s2', 's0', 's6']);
  });
});

describe('ECS retention in virtual days', () => {
  let h: EcsHarness;
  beforeEach(async () => {
    h = await makeHarness('nock');
  });
  afterEach(async () => {
    await h.close();
  });

  it('a copy with RetentionDays is released when its days are over, not before', async () => {
    const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10 });
    const r = await h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id, retentionDays: 7 }));
    const id = r.body!.snapshotId!;
    h.clock.advance(60_000);
    const completedAt = h.sim.snapshot(id)!.completedAt!;
    h.clock.advance(completedAt + 7 * DAY - 1 - h.clock.now());
    expect(h.sim.snapshot(id)?.state).toBe('completed');
    h.clock.advance(1);
    expect(h.sim.snapshot(id)).toBeUndefined();
    expect(h.sim.world.deleted.has(id)).toBe(true);
    // The source has no retention: it stays.
    h.clock.advance(400 * DAY);
    expect(h.sim.snapshot(src.id)).toBeDefined();
  });

  it('an extended retention (ModifySnapshotAttribute) holds the snapshot to the new end', async () => {
    const s = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 10, retentionDays: 5 });
    h.clock.advance(3 * DAY);
    await h
      .client(HANGZHOU)
      .modifySnapshotAttribute(
        new h.mod.ModifySnapshotAttributeRequest({ snapshotId: s.id, retentionDays: 30 }),
      );
    h.clock.advance(10 * DAY);
    expect(h.sim.snapshot(s.id)).toBeDefined();
    h.clock.advance(17 * DAY);
    expect(h.sim.snapshot(s.id)).toBeUndefined();
  });

  it('day by day over 400 days, exactly the snapshots whose retention ended are gone each day', () => {
    const clock = new VirtualClock({ autoAdvance: false });
    const sim = new EcsSimulator({ clock });
    sim.addRegions(HANGZHOU);
    const account = sim.addAccount().id;
    const disk = sim.addDisk({ account, region: HANGZHOU, sizeGiB: 40 });
    const days: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const d = 1 + (i % 400);
      days.push(d);
      sim.addSnapshot({ account, region: HANGZHOU, diskId: disk.id, sizeGiB: 1, retentionDays: d });
    }
    const kept = sim.addSnapshot({ account, region: HANGZHOU, diskId: disk.id, sizeGiB: 1 });
    const start = clock.now();
    for (let day = 1; day <= 400; day++) {
      clock.advance(DAY);
      sim.advance();
      const left = sim.world.snapshots.size - 1;
      expect(left).toBe(days.filter((d) => d > day).length);
      expect(clock.now()).toBe(start + day * DAY);
    }
    expect(sim.world.snapshots.has(kept.id)).toBe(true);
  });

  it('one jump of 400 days releases them all at once', () => {
    const clock = new VirtualClock({ autoAdvance: false });
    const sim = new EcsSimulator({ clock });
    sim.addRegions(HANGZHOU);
    const account = sim.addAccount().id;
    for (let i = 0; i < 20_000; i++)
      sim.addSnapshot({ account, region: HANGZHOU, sizeGiB: 1, retentionDays: 1 + (i % 365) });
    clock.advance(400 * DAY);
    sim.advance();
    expect(sim.world.snapshots.size).toBe(0);
    expect(sim.world.deleted.size).toBe(20_000);
  });
});

describe('EC2 in virtual days', () => {
  it('EC2 has no native retention: after 400 days snapshots are still there and copies and sets are done', () => {
    const clock = new VirtualClock({ autoAdvance: false });
    const sim = new Ec2Simulator({ clock });
    sim.addRegions('us-east-1');
    const account = sim.addAccount().id;
    const instance = sim.addInstance({
      account,
      region: 'us-east-1',
      volumes: [{ sizeGiB: 8 }, { sizeGiB: 500 }],
    });
    const set = sim.takeSnapshotSet(instance.id);
    expect(set.map((s) => s.state)).toEqual(['pending', 'pending']);
    clock.advance(400 * DAY);
    sim.advance();
    expect(set.map((s) => sim.snapshot(s.id)?.state)).toEqual(['completed', 'completed']);
  });
});

describe('ScaledClock.advance', () => {
  it('jumps virtual time at once and keeps running at the scale', () => {
    const clock = new ScaledClock({ scale: 1, start: 0 });
    const before = clock.now();
    clock.advance(3 * DAY);
    expect(clock.now() - before).toBeGreaterThanOrEqual(3 * DAY);
    expect(clock.now() - before).toBeLessThan(3 * DAY + 60_000);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});
