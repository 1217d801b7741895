import type { BatchItemInput } from '@snapcopy/orchestrator';
import {
  type CopiersByKind,
  canonicalJson,
  DueQueue,
  kindCopiersOf,
  prepareBatch,
} from '@snapcopy/orchestrator/runner';
import { describe, expect, it } from 'vitest';
import { referenceWorld } from './support/reference-world.js';

const w = referenceWorld();
const both = kindCopiersOf({ copier: w.copier, imageCopier: w.imageCopier });
const one = new Map<string, CopiersByKind>([['ref', both]]);
const two = new Map<string, CopiersByKind>([
  ['a', both],
  ['b', both],
]);
const snapshotsOnly = new Map<string, CopiersByKind>([['ref', kindCopiersOf({ copier: w.copier })]]);
const imagesOnly = new Map<string, CopiersByKind>([['ref', kindCopiersOf({ imageCopier: w.imageCopier })]]);
const req = (snapshotId: string, extra: object = {}) => ({
  source: { region: 'us-east-1', snapshotId },
  destination: { region: 'eu-west-1' },
  ...extra,
});
const image = (imageId: string, extra: object = {}) => ({
  source: { region: 'us-east-1', imageId },
  destination: { region: 'eu-west-1' },
  ...extra,
});

// One row per rule of prepareBatch: what the second item of a batch gets.
const rows: {
  rule: string;
  copiers: ReadonlyMap<string, CopiersByKind>;
  items: BatchItemInput[];
  error?: { path: string; message: RegExp };
  /** The kind the second request is journaled as, when it is accepted. */
  kind?: 'snapshot' | 'image';
}[] = [
  {
    rule: 'a valid request gets the batch token and no error',
    copiers: one,
    items: [req('snap-a'), req('snap-b')],
  },
  {
    rule: 'the copier must be named when there are several',
    copiers: two,
    items: [{ copier: 'a', request: req('snap-a') }, req('snap-b')],
    error: { path: 'copier', message: /name the copier: one of a, b/ },
  },
  {
    rule: 'the copier must exist',
    copiers: two,
    items: [
      { copier: 'a', request: req('snap-a') },
      { copier: 'c', request: req('snap-b') },
    ],
    error: { path: 'copier', message: /unknown copier "c"/ },
  },
  {
    rule: 'a clientToken must be a string',
    copiers: one,
    items: [req('snap-a'), req('snap-b', { clientToken: 7 }) as BatchItemInput],
    error: { path: 'clientToken', message: /must be a string/ },
  },
  {
    rule: "the copier's own validation (schema)",
    copiers: one,
    items: [
      req('snap-a'),
      { source: { region: 'nowhere', snapshotId: 's' }, destination: { region: 'eu-west-1' } },
    ],
    error: { path: 'source.region', message: /region id/ },
  },
  {
    rule: 'a token used twice is refused',
    copiers: one,
    items: [req('snap-a', { clientToken: 't' }), req('snap-b', { clientToken: 't' })],
    error: { path: 'clientToken', message: /used by request 0/ },
  },
  {
    rule: 'two identical requests without a token: the second is refused',
    copiers: one,
    items: [req('snap-a'), req('snap-a')],
    error: { path: 'request', message: /same request as request 0/ },
  },
  {
    rule: 'identical whatever the key order',
    copiers: one,
    items: [
      req('snap-a', { tags: { x: '1', y: '2' } }),
      {
        destination: { region: 'eu-west-1' },
        tags: { y: '2', x: '1' },
        source: { snapshotId: 'snap-a', region: 'us-east-1' },
      },
    ],
    error: { path: 'request', message: /same request as request 0/ },
  },
  {
    rule: 'identical requests each with its own token are two copies on purpose',
    copiers: one,
    items: [req('snap-a', { clientToken: 'one' }), req('snap-a', { clientToken: 'two' })],
  },
  {
    rule: 'a request whose source names an imageId is an image request, beside snapshot requests',
    copiers: one,
    items: [req('snap-a'), image('ami-a')],
    kind: 'image',
  },
  {
    rule: 'an image request on a copier without an image copier is refused',
    copiers: snapshotsOnly,
    items: [req('snap-a'), image('ami-a')],
    error: { path: 'copier', message: /copier "ref" copies no images: give its entry an imageCopier/ },
  },
  {
    rule: 'a snapshot request on a copier with only an image copier is refused',
    copiers: imagesOnly,
    items: [image('ami-a'), req('snap-a')],
    error: { path: 'copier', message: /copier "ref" copies no snapshots/ },
  },
  {
    rule: "the image copier's own validation (an image request has no retentionDays)",
    copiers: one,
    items: [req('snap-a'), image('ami-a', { retentionDays: 3 })],
    error: { path: '', message: /retentionDays/ },
  },
  {
    rule: 'two identical image requests without a token: the second is refused, naming the image',
    copiers: one,
    items: [image('ami-a'), image('ami-a')],
    error: { path: 'request', message: /would copy the same image again/ },
  },
];

describe('prepareBatch: one row per rule', () => {
  it.each(rows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const prepared = prepareBatch(row.items, 'b', row.copiers);
    expect(prepared).toHaveLength(row.items.length);
    const second = prepared[1]!;
    if (row.error === undefined) {
      expect(second.error).toBeUndefined();
      expect(second.record.clientToken).toBe((row.items[1] as { clientToken?: string }).clientToken ?? 'b.1');
      expect(second.record.kind).toBe(row.kind ?? 'snapshot');
    } else {
      expect(second.error?.code).toBe('INVALID_REQUEST');
      const issue = second.error!.issues.find((i) => i.path === row.error!.path);
      expect(issue?.message).toMatch(row.error.message);
    }
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined ones', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });
});

describe('DueQueue', () => {
  it('keeps arrival order, puts retries first, and releases waiting items when due, earliest first', () => {
    const q = new DueQueue<string>();
    q.add('a', 0);
    q.add('b', 0);
    q.add('later-2', 0, { notBefore: 200 });
    q.add('later-1', 0, { notBefore: 100 });
    q.add('retry', 0, { first: true });
    expect(q.size).toBe(5);
    expect([q.take(0), q.take(0), q.take(0), q.take(0)]).toEqual(['retry', 'a', 'b', undefined]);
    expect(q.nextDueAt()).toBe(100);
    q.add('c', 150);
    expect([q.take(250), q.take(250), q.take(250), q.take(250)]).toEqual([
      'later-1',
      'later-2',
      'c',
      undefined,
    ]);
    expect(q.size).toBe(0);
    expect(q.nextDueAt()).toBe(Number.POSITIVE_INFINITY);
  });

  it('drains everything in order', () => {
    const q = new DueQueue<number>();
    for (let i = 0; i < 3000; i++) q.add(i, 0);
    for (let i = 0; i < 2000; i++) expect(q.take(0)).toBe(i);
    q.add(-1, 0, { first: true });
    q.add(9999, 0, { notBefore: 5 });
    expect(q.drain()).toEqual([-1, ...Array.from({ length: 1000 }, (_, i) => 2000 + i), 9999]);
  });
});
