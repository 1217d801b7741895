import { describe, expect, it } from 'vitest';
import {
  CAPABILITY_KEYS,
  defineCapabilities,
  defineImageCapabilities,
  fromSnapshotCapabilities,
  IMAGE_CAPABILITY_KEYS,
  ImageCapabilitiesSchema,
  type ImageCopyStatus,
  is,
  parseImageCopyRequest,
} from '../src/index.js';
import { IMAGE_LINEAGE_TAGS, imageKeyTag, LINEAGE_TAGS } from '../src/driver.js';
import { FakeCloud, JumpClock, lostReply } from './support/fake-driver.js';
import { FAKE_IMAGE_CAPS, FakeImageCopier } from './support/fake-image-driver.js';

function setup(capabilities = FAKE_IMAGE_CAPS) {
  const clock = new JumpClock();
  const cloud = new FakeCloud(clock);
  return { clock, cloud, c: new FakeImageCopier(cloud, clock, capabilities) };
}

const request = {
  source: { region: 'us-east-1', imageId: 'ami-source' },
  destination: { region: 'us-west-2' },
};

describe('defineImageCapabilities', () => {
  it('IMAGE_CAPABILITY_KEYS lists exactly the schema keys, and holds the five the copy protocol reads', () => {
    expect([...IMAGE_CAPABILITY_KEYS].sort()).toEqual(Object.keys(ImageCapabilitiesSchema.shape).sort());
    for (const k of [
      'cancelByDelete',
      'cancelTakesEffect',
      'nativeIdempotencyToken',
      'maxIdsPerStatusCall',
      'consistencyWindowMs',
    ] as const) {
      expect(IMAGE_CAPABILITY_KEYS).toContain(k);
      expect(CAPABILITY_KEYS).toContain(k);
    }
  });

  it('fills every flag, freezes deeply and is JSON-cloneable', () => {
    const caps = defineImageCapabilities({
      timeBasedCopy: true,
      completionDurationMinutes: { min: 15, max: 2880, step: 15 },
    });
    expect(Object.keys(caps).sort()).toEqual([...IMAGE_CAPABILITY_KEYS].sort());
    expect(caps.copySourceTags).toBe(false);
    expect(caps.cancelMethod).toBe('none');
    // An unknown provider gets the snapshot manifest's default window, not 0.
    expect(caps.consistencyWindowMs).toBe(300_000);
    expect(Object.isFrozen(caps)).toBe(true);
    expect(Object.isFrozen(caps.completionDurationMinutes)).toBe(true);
    expect(JSON.parse(JSON.stringify(caps))).toEqual(caps);
  });

  it.each([
    ['an unknown key', { teleport: true }],
    ['a snapshot-only key', { retentionPeriod: true }],
    ['timeBasedCopy without its range', { timeBasedCopy: true }],
    ['cancelByDelete without when it takes effect', { cancelByDelete: true, cancelMethod: 'delete' }],
    ['cancelByDelete without a cancel method', { cancelByDelete: true, cancelTakesEffect: 'immediate' }],
    ['cross-region sharing without sharing', { crossAccountCopyAcrossRegions: true }],
    [
      'a delete while copying on a provider that cancels with its own call',
      {
        cancelByDelete: true,
        cancelMethod: 'cancel-copy',
        cancelTakesEffect: 'immediate',
        deleteWhileCopying: true,
      },
    ],
  ])('rejects %s', (_name, partial) => {
    expect(() => defineImageCapabilities(partial as never)).toThrow();
  });

  it('fromSnapshotCapabilities hands an image manifest the named entries of a snapshot manifest, and only those', () => {
    const snapshot = defineCapabilities({
      encryptOnCopy: true,
      timeBasedCopy: true,
      completionDurationMinutes: { min: 15, max: 2880, step: 15 },
      maxUserTags: 45,
      consistencyWindowMs: 60_000,
    });
    const shared = fromSnapshotCapabilities(snapshot, [
      'encryptOnCopy',
      'completionDurationMinutes',
      'maxUserTags',
    ]);
    expect(shared).toEqual({
      encryptOnCopy: true,
      completionDurationMinutes: { min: 15, max: 2880, step: 15 },
      maxUserTags: 45,
    });
    const image = defineImageCapabilities({ ...shared, timeBasedCopy: true });
    expect(image.maxUserTags).toBe(45);
    expect(image.consistencyWindowMs).toBe(300_000);
  });
});

describe('parseImageCopyRequest', () => {
  it('parses the neutral image request', () => {
    const parsed = parseImageCopyRequest({
      ...request,
      encryption: { encrypted: true, kmsKeyId: 'alias/dr' },
      tags: { team: 'dr' },
      snapshotTags: { backup: 'yes' },
      copySourceTags: true,
      completionDurationMinutes: 60,
      clientToken: 'tok-1',
    });
    expect(parsed.source.imageId).toBe('ami-source');
    expect(parsed.snapshotTags).toEqual({ backup: 'yes' });
  });

  it.each([
    ['a key without encryption', { encryption: { kmsKeyId: 'k' } }, 'encryption.kmsKeyId'],
    ['a reserved snapshot tag', { snapshotTags: { 'snapcopy:x': '1' } }, 'snapshotTags.snapcopy:x'],
    ['a snapshot id as source', { source: { region: 'us-east-1', snapshotId: 'snap-1' } }, 'source'],
    ['a retention period (images have none)', { retentionDays: 3 }, ''],
    ['a token with spaces', { clientToken: 'a b' }, 'clientToken'],
  ])('refuses %s with INVALID_REQUEST naming the field', (_name, extra, path) => {
    let caught: unknown;
    try {
      parseImageCopyRequest({ ...request, ...extra });
    } catch (err) {
      caught = err;
    }
    expect(is(caught, 'INVALID_REQUEST')).toBe(true);
    expect((caught as { issues: { path: string }[] }).issues.some((i) => i.path.startsWith(path))).toBe(true);
  });

  it.each([
    [
      'a __proto__ snapshot tag (as JSON.parse makes it)',
      () => JSON.parse('{"__proto__": "x"}'),
      'snapshotTags',
    ],
    ['a __proto__ image tag (as JSON.parse makes it)', () => JSON.parse('{"__proto__": "x"}'), 'tags'],
    ['a constructor snapshot tag', () => ({ constructor: 'x' }), 'snapshotTags'],
  ])('refuses %s, as a snapshot request does', (_name, make, field) => {
    let caught: unknown;
    try {
      parseImageCopyRequest({ ...request, [field]: make() });
    } catch (err) {
      caught = err;
    }
    expect(is(caught, 'INVALID_REQUEST')).toBe(true);
    expect((caught as { issues: { path: string }[] }).issues.map((i) => i.path.split('.')[0])).toContain(
      field,
    );
  });

  it('a hostile input (a getter that throws) is INVALID_REQUEST, never the getter error', () => {
    const hostile = {
      ...request,
      get destination(): never {
        throw new TypeError('boom');
      },
    };
    expect(() => parseImageCopyRequest(hostile)).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
});

describe('image lineage', () => {
  it('shares the client-token tag with snapshots, so the cancel guard reads both', () => {
    expect(IMAGE_LINEAGE_TAGS.clientToken).toBe(LINEAGE_TAGS.clientToken);
  });

  it.each([
    ['no snapshots', [], 'none'],
    ['all unencrypted', [{ encrypted: false }, { encrypted: false }], 'none'],
    [
      'one key',
      [
        { encrypted: true, kmsKeyId: 'k1' },
        { encrypted: true, kmsKeyId: 'k1' },
      ],
      'k1',
    ],
    [
      'two keys',
      [
        { encrypted: true, kmsKeyId: 'k1' },
        { encrypted: true, kmsKeyId: 'k2' },
      ],
      'mixed',
    ],
    [
      'encrypted and not: the key of the encrypted ones',
      [{ encrypted: true, kmsKeyId: 'k1' }, { encrypted: false }],
      'k1',
    ],
    ['encrypted, unnamed key', [{ encrypted: true }], 'unknown'],
  ])('the key tag of %s', (_name, snapshots, tag) => {
    expect(imageKeyTag(snapshots)).toBe(tag);
  });
});

describe('the copy facade, for images (generic over the kind and its manifest)', () => {
  it('refuses what the image manifest says is never supported, before any provider call', async () => {
    const { c, cloud } = setup();
    await expect(c.plan({ ...request, copySourceTags: true })).rejects.toSatisfy((e) => is(e, 'UNSUPPORTED'));
    await expect(c.copy({ ...request, completionDurationMinutes: 60 })).rejects.toSatisfy((e) =>
      is(e, 'UNSUPPORTED'),
    );
    await expect(
      c.copy({ ...request, source: { ...request.source, account: '222233334444' } }),
    ).rejects.toSatisfy((e) => is(e, 'UNSUPPORTED'));
    expect(cloud.calls).toEqual([]);
  });

  it('batches status by the image manifest limit and carries the backing snapshots', async () => {
    const { c, cloud } = setup();
    const handles = [];
    for (let i = 0; i < 3; i++) handles.push(await c.copy({ ...request, clientToken: `t-${i}` }));
    const statuses = await c.status(handles);
    expect(statuses.map((s) => s.imageId)).toEqual(handles.map((h) => h.imageId));
    expect(cloud.calls.filter((x) => x.op === 'describe').map((x) => x.detail!.split(',').length)).toEqual([
      2, 1,
    ]);
    expect(statuses[0]!.snapshots?.map((s) => s.deviceName)).toEqual(['/dev/xvda', '/dev/sdb']);
  });

  it('a native token: the copy is looked up first, and a lost reply is found again: one image', async () => {
    const { c, cloud } = setup();
    cloud.fault('start', { kind: 'lose-reply', error: lostReply() });
    const handle = await c.copy({ ...request, clientToken: 'tok-lost' });
    expect(handle.reused).toBe(true);
    expect(cloud.withToken('tok-lost')).toHaveLength(1);
    expect(handle.imageId).toBe(cloud.withToken('tok-lost')[0]!.id);
  });

  it('wait hands image statuses to onProgress and ends completed', async () => {
    const { c } = setup();
    const handle = await c.copy({ ...request, clientToken: 'tok-wait' });
    const seen: ImageCopyStatus[] = [];
    const final = await c.wait(handle, { minDelayMs: 1, maxDelayMs: 1, onProgress: (s) => seen.push(s) });
    expect(final.state).toBe('completed');
    expect(seen.every((s) => s.imageId === handle.imageId)).toBe(true);
  });

  it('cancel of a running copy says how the image and its snapshots go', async () => {
    const { c, cloud } = setup();
    const handle = await c.copy({ ...request, clientToken: 'tok-cancel' });
    const result = await c.cancel(handle);
    expect(result).toMatchObject({
      imageId: handle.imageId,
      takesEffect: 'immediate',
      snapshots: 'removed-on-completion',
    });
    expect(result.message).toMatch(/^deregistered .* while it was being copied/);
    expect(cloud.copies.has(handle.imageId)).toBe(false);
    const [after] = await c.status([handle]);
    expect(after?.state).toBe('cancelled');
  });

  it('cancel is UNSUPPORTED with no call when the image manifest says cancelByDelete is false', async () => {
    const { c, cloud } = setup(
      defineImageCapabilities({
        ...FAKE_IMAGE_CAPS,
        cancelByDelete: false,
        cancelMethod: 'none',
        cancelTakesEffect: 'never',
        deleteWhileCopying: false,
      }),
    );
    const before = cloud.calls.length;
    await expect(c.cancel({ region: 'us-west-2', imageId: 'ami-9' })).rejects.toSatisfy((e) =>
      is(e, 'UNSUPPORTED'),
    );
    expect(cloud.calls.length).toBe(before);
  });

  it("refs are checked by region format and the driver's image id rule, before any call", async () => {
    const { c, cloud } = setup();
    const cases = [
      [{ region: 'US West', imageId: 'ami-1' }, 'refs.0.region'],
      [{ region: 'us-west-2', imageId: 'snap-1' }, 'refs.0.imageId'],
    ] as const;
    for (const [ref, path] of cases) {
      for (const call of [() => c.status([ref]), () => c.wait(ref), () => c.cancel(ref)]) {
        const err = await call().catch((e: unknown) => e);
        expect(is(err, 'INVALID_REQUEST')).toBe(true);
        expect((err as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain(path);
      }
    }
    expect(cloud.calls).toEqual([]);
  });

  it('without a native token, a lost reply the lookups cannot see yet is not sent again within the image manifest window', async () => {
    const caps = defineImageCapabilities({
      ...FAKE_IMAGE_CAPS,
      nativeIdempotencyToken: false,
      consistencyWindowMs: 60_000,
    });
    const { c, cloud, clock } = setup(caps);
    cloud.fault('start', { kind: 'lose-reply', error: lostReply() });
    cloud.after.set('start', () => {
      for (const copy of cloud.withToken('tok-lag')) cloud.lagging.add(copy.id);
    });
    const err = (await c.copy({ ...request, clientToken: 'tok-lag' }).catch((e) => e)) as {
      code: string;
      ambiguous: boolean;
      details?: { retryAfterMs?: number };
    };
    expect(err).toMatchObject({ code: 'PROVIDER_ERROR', ambiguous: true });
    expect(err.details?.retryAfterMs).toBeGreaterThan(0);
    expect(cloud.count('start')).toBe(1);
    clock.t += 60_000;
    cloud.lagging.clear();
    const again = await c.copy({ ...request, clientToken: 'tok-lag' });
    expect(again.reused).toBe(true);
    expect(cloud.count('start')).toBe(1);
  });

  it('refuses a malformed image ref with INVALID_REQUEST', async () => {
    const { c } = setup();
    await expect(c.status([{ region: 'us-west-2', snapshotId: 'snap-1' } as never])).rejects.toSatisfy((e) =>
      is(e, 'INVALID_REQUEST'),
    );
  });
});
