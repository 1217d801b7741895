import { describe, expect, it } from 'vitest';
import { type CopyPlan, is, SnapcopyError } from '../src/index.js';
import { LINEAGE_TAGS, type NormalizedCopyRequest, type ObservedCopy } from '../src/driver.js';
import { FakeCloud, FakeCopier, fakePlan, JumpClock, lostReply } from './support/fake-driver.js';

/** The fake driver with the two batch hooks: one call per batch, counted by the fake cloud. */
class BatchingCopier extends FakeCopier {
  protected override async _planBatch(
    requests: readonly NormalizedCopyRequest[],
  ): Promise<Array<CopyPlan | SnapcopyError>> {
    return this.cloud.run(
      'plan',
      () =>
        requests.map((r) =>
          r.source.snapshotId === 'snap-missing'
            ? new SnapcopyError('NOT_FOUND', 'no such snapshot')
            : fakePlan(r),
        ),
      `batch of ${requests.length}`,
    );
  }

  protected override async _findByTokens(region: string, tokens: readonly string[]): Promise<ObservedCopy[]> {
    return this.cloud.run(
      'find',
      () =>
        [...this.cloud.copies.values()]
          .filter((c) => c.region === region && tokens.includes(c.tags[LINEAGE_TAGS.clientToken] ?? ''))
          .map((c) => ({
            region: c.region,
            id: c.id,
            state: c.state,
            rawState: c.state,
            progress: c.progress,
            tags: { ...c.tags },
            createdAt: c.createdAt,
          })),
      `batch:${tokens.join(',')}`,
    );
  }
}

function setup(batching = true) {
  const clock = new JumpClock();
  const cloud = new FakeCloud(clock);
  const c = batching ? new BatchingCopier(cloud, clock) : new FakeCopier(cloud, clock);
  return { clock, cloud, c };
}

const req = (snapshotId: string, token?: string, region = 'us-west-2') => ({
  source: { region: 'us-east-1', snapshotId },
  destination: { region },
  ...(token === undefined ? {} : { clientToken: token }),
});

describe('planMany', () => {
  it('plans every request in one driver batch; each result is the plan `plan` gives, or its own error', async () => {
    const { c, cloud } = setup();
    const results = await c.planMany([
      req('snap-1', 't1'),
      { bogus: true } as never,
      req('snap-missing', 't3'),
      req('snap-2', 't2'),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true]);
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(results[2]).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(cloud.calls.filter((x) => x.op === 'plan')).toEqual([{ op: 'plan', detail: 'batch of 3' }]);
    // Equal but for $metadata: each names the provider calls that made it.
    const { $metadata: _single, ...single } = await c.plan(req('snap-1', 't1'));
    const first = results[0]!;
    const { $metadata: _batch, ...batched } = first.ok ? first.value : ({} as never);
    expect(batched).toEqual(single);
  });

  it('a plan from the batch is trusted by copy, like one from plan', async () => {
    const { c, cloud } = setup();
    const input = req('snap-1', 't1');
    const [result] = await c.planMany([input]);
    if (!result?.ok) throw new Error('planned');
    await c.copy(input, { plan: result.value });
    expect(cloud.count('plan')).toBe(1);
  });

  it('without a batch driver, plans each request alone (same results)', async () => {
    const { c, cloud } = setup(false);
    const results = await c.planMany([req('snap-1', 't1'), req('snap-2', 't2')]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(cloud.count('plan')).toBe(2);
  });

  it('refuses anything but an array', async () => {
    const { c } = setup();
    await expect(c.planMany('nope' as never)).rejects.toSatisfy((e) => is(e, 'INVALID_REQUEST'));
  });
});

describe('findMany and copy with tokenChecked', () => {
  it('looks every token of a region up in one call; found, absent and bad requests each get their result', async () => {
    const { c, cloud } = setup();
    const made = await c.copy(req('snap-1', 'tok-a'));
    cloud.calls.length = 0;
    const results = await c.findMany([req('snap-1', 'tok-a'), req('snap-2', 'tok-b'), req('snap-3')]);
    expect(results[0]).toMatchObject({ ok: true, value: { snapshotId: made.snapshotId, reused: true } });
    expect(results[1]).toEqual({ ok: true, value: undefined });
    expect(results[2]).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(cloud.calls).toEqual([{ op: 'find', detail: 'batch:tok-a,tok-b' }]);
  });

  it('a token used for another source is that request’s error, not the batch’s', async () => {
    const { c } = setup();
    await c.copy(req('snap-1', 'tok-a'));
    const [reused, other] = await c.findMany([req('snap-9', 'tok-a'), req('snap-2', 'tok-b')]);
    expect(reused).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(other).toEqual({ ok: true, value: undefined });
  });

  it('one-by-one lookups: a failed lookup is its own request’s error, the other tokens still answer', async () => {
    const { c, cloud } = setup(false);
    const made = await c.copy(req('snap-1', 'tok-a'));
    cloud.calls.length = 0;
    cloud.fault('find', { kind: 'refuse', error: new SnapcopyError('ACCESS_DENIED', 'not allowed') });
    const results = await c.findMany([
      req('snap-2', 'tok-b'),
      req('snap-1', 'tok-a'),
      req('snap-3', 'tok-c'),
    ]);
    expect(results[0]).toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED' } });
    expect(results[1]).toMatchObject({ ok: true, value: { snapshotId: made.snapshotId } });
    expect(results[2]).toEqual({ ok: true, value: undefined });
    expect(cloud.count('find')).toBe(3);
  });

  it('a batched lookup that fails is the error of every request it carried, not a rejection', async () => {
    const { c, cloud } = setup();
    cloud.fault('find', { kind: 'refuse', error: new SnapcopyError('ACCESS_DENIED', 'not allowed') });
    const results = await c.findMany([
      req('snap-1', 'tok-a'),
      req('snap-2', 'tok-b'),
      req('snap-3', 'tok-c', 'eu-west-1'),
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, false, true]);
    expect(results[0]).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    expect(results[1]).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    expect(cloud.count('find')).toBe(2);
  });

  it('tokenChecked skips the lookup before the copy call; the convergence lookup after it stays', async () => {
    const { c, cloud } = setup();
    const input = req('snap-1', 'tok-a');
    const plan = await c.plan(input);
    cloud.calls.length = 0;
    await c.copy(input, { plan, tokenChecked: true });
    expect(cloud.calls.map((x) => x.op)).toEqual(['start', 'find']);
  });

  it('tokenChecked: after a lost reply the token is still looked up, and one copy results', async () => {
    const { c, cloud } = setup();
    cloud.fault('start', { kind: 'lose-reply', error: lostReply() });
    const input = req('snap-1', 'tok-a');
    const handle = await c.copy(input, { tokenChecked: true });
    expect(cloud.withToken('tok-a').map((x) => x.id)).toEqual([handle.snapshotId]);
    expect(cloud.calls.map((x) => x.op)).toEqual(['plan', 'start', 'find']);
  });

  it('tokenChecked trusts only the first attempt: a retry looks the token up before copying again', async () => {
    const { c, cloud } = setup();
    cloud.fault('start', { kind: 'refuse', error: new SnapcopyError('THROTTLED', 'slow') });
    await c.copy(req('snap-1', 'tok-a'), { tokenChecked: true });
    expect(cloud.calls.map((x) => x.op)).toEqual(['plan', 'start', 'find', 'start', 'find']);
  });

  it('convergence lookups of concurrent copies share one batched call', async () => {
    const { c, cloud } = setup();
    const inputs = ['a', 'b', 'c', 'd'].map((t, i) => req(`snap-${i}`, `tok-${t}`));
    const plans = await c.planMany(inputs);
    cloud.calls.length = 0;
    await Promise.all(
      inputs.map((input, i) => {
        const p = plans[i]!;
        if (!p.ok) throw p.error;
        return c.copy(input, { plan: p.value, tokenChecked: true });
      }),
    );
    expect(cloud.count('start')).toBe(4);
    expect(cloud.calls.filter((x) => x.op === 'find')).toEqual([
      { op: 'find', detail: 'batch:tok-a,tok-b,tok-c,tok-d' },
    ]);
  });
});
