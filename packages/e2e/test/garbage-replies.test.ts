// A 200 reply that is not the provider's (a proxy's HTML page) must read as a retryable
// PROVIDER_ERROR that says the endpoint did not answer like EC2/ECS (`MalformedReply`),
// never as "nothing there"; after a copy call it must be ambiguous (the copy may exist).
import type { SnapcopyError, SnapshotCopier } from '@snapcopy/core';
import { VirtualClock } from '@snapcopy/testkit';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mountScripted, type RequestKind } from './scripted-faults.js';
import { twoClouds } from './two-clouds.js';

const ONE_ATTEMPT = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
const stops: (() => void)[] = [];
beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  for (const s of stops.splice(0)) s();
  nock.cleanAll();
  nock.enableNetConnect();
});

async function thrown(call: Promise<unknown>): Promise<SnapcopyError> {
  try {
    await call;
  } catch (err) {
    return err as SnapcopyError;
  }
  throw new Error('the call did not fail');
}

function world(copierName: 'aws' | 'alibaba') {
  const clock = new VirtualClock();
  const clouds = twoClouds(clock, 1);
  // After a copy call, token lookups fail: the copy call's own error is what surfaces.
  let copied = false;
  const script = (kind: RequestKind): 'server-error' | undefined => {
    if (kind === 'copy') copied = true;
    return kind === 'lookup' && copied ? 'server-error' : undefined;
  };
  const mounts = [mountScripted(clouds.ec2, script), mountScripted(clouds.ecs, script)];
  stops.push(() => {
    for (const m of mounts) m.stop();
  });
  const copier: SnapshotCopier = clouds.copiers({}, ONE_ATTEMPT)[copierName];
  const item = clouds.items().find((i) => i.copier === copierName)!;
  const sim = copierName === 'aws' ? clouds.ec2 : clouds.ecs;
  return { copier, sim, request: { ...item.request, clientToken: `garbage-${copierName}` } };
}

const rows = [{ copier: 'aws' }, { copier: 'alibaba' }] as const;

describe.each(rows)('$copier adapter, a 200 proxy page', ({ copier }) => {
  const test = it;

  test('in reply to a status read: a retryable MalformedReply', async () => {
    const w = world(copier);
    const handle = await w.copier.copy(w.request);
    w.sim.faults.garbageNext('DescribeSnapshots');
    const err = await thrown(w.copier.status([handle]));
    expect(err).toMatchObject({ code: 'PROVIDER_ERROR', providerCode: 'MalformedReply', retryable: true });
  });

  test('in reply to a copy call: ambiguous (the copy was made)', async () => {
    const w = world(copier);
    w.sim.faults.garbageNext('CopySnapshot');
    const err = await thrown(w.copier.copy(w.request));
    expect(err).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true, ambiguous: true });
    expect(w.sim.world.requests.count('CopySnapshot')).toBe(1);
  });
});
