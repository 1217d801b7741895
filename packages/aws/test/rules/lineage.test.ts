import { describe, expect, it } from 'vitest';
import { type AwsLineageCopy, latestPresentAwsCopy, mostRecentAwsCopy } from '../../src/rules/lineage.js';

const copy = (
  id: string,
  completedAt: number | 'pending' | 'failed',
  over: Partial<AwsLineageCopy> = {},
): AwsLineageCopy => ({
  id,
  clientToken: `tok-${id}`,
  state: completedAt === 'pending' ? 'pending' : completedAt === 'failed' ? 'failed' : 'completed',
  deleting: false,
  archived: false,
  encrypted: false,
  startedAt: typeof completedAt === 'number' ? completedAt - 5 : 1_000,
  ...(typeof completedAt === 'number' ? { completedAt } : {}),
  ...over,
});

interface Row {
  rule: string;
  copies: AwsLineageCopy[];
  /** `none`, `deleted`, or the id of the most recent copy present. */
  expect: string;
  /** The copy a new copy follows (tagged with its token). */
  follows?: string;
}

// EBS User Guide, "Copy an Amazon EBS snapshot", incremental snapshot copying: the most
// recent copy decides; "if the most recent snapshot copy was deleted, the next copy is a
// full copy".
const ROWS: Row[] = [
  { rule: 'never copied there → none', copies: [], expect: 'none' },
  { rule: 'one completed copy → it', copies: [copy('a', 10)], expect: 'a', follows: 'a' },
  {
    rule: 'several completed copies → the one completed last',
    copies: [copy('b', 20), copy('a', 10)],
    expect: 'b',
    follows: 'b',
  },
  {
    rule: 'the most recent copy was deleted (an older copy names it as its next) → deleted, even with the older one there',
    copies: [copy('a', 10, { nextCopyToken: 'tok-gone' })],
    expect: 'deleted',
    follows: 'a',
  },
  {
    rule: 'an older copy was deleted, the most recent is there → the most recent',
    copies: [copy('b', 20)],
    expect: 'b',
  },
  {
    rule: 'the most recent copy is still pending → it (a pending copy completes after every completed one)',
    copies: [copy('a', 10, { nextCopyToken: 'tok-p' }), copy('p', 'pending')],
    expect: 'p',
    follows: 'p',
  },
  {
    rule: 'the next copy failed → the older copy is still the most recent (a failed copy is no copy)',
    copies: [copy('a', 10, { nextCopyToken: 'tok-f' }), copy('f', 'failed')],
    expect: 'a',
    follows: 'a',
  },
  {
    rule: 'the most recent copy is being deleted (cancelled) → deleted',
    copies: [copy('a', 10, { nextCopyToken: 'tok-c' }), copy('c', 'pending', { deleting: true })],
    expect: 'deleted',
    follows: 'a',
  },
  {
    rule: 'a chain of next copies is followed to its end',
    copies: [
      copy('a', 10, { nextCopyToken: 'tok-b' }),
      copy('b', 20, { nextCopyToken: 'tok-c' }),
      copy('c', 30),
    ],
    expect: 'c',
    follows: 'c',
  },
  {
    rule: 'the end of a chain was deleted → deleted',
    copies: [copy('a', 10, { nextCopyToken: 'tok-b' }), copy('b', 20, { nextCopyToken: 'tok-gone' })],
    expect: 'deleted',
  },
  {
    rule: 'only failed copies → none',
    copies: [copy('f', 'failed')],
    expect: 'none',
  },
];

describe('mostRecentAwsCopy', () => {
  it.each(ROWS.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const out = mostRecentAwsCopy(row.copies);
    if (row.expect === 'none' || row.expect === 'deleted') expect(out.kind).toBe(row.expect);
    else expect(out).toMatchObject({ kind: 'present', copy: { id: row.expect } });
    if (row.follows !== undefined) expect(latestPresentAwsCopy(row.copies)?.id).toBe(row.follows);
  });
});
