import { describe, expect, it } from 'vitest';
import { type DestinationLineageSnapshot, decideIncremental } from '../../src/ec2/index.js';

const KEY_A = 'arn:aws:kms:us-west-2:111111111111:key/a';
const KEY_B = 'arn:aws:kms:us-west-2:111111111111:key/b';
const NOW = 1_000_000;

const copy = (
  id: string,
  completesAt: number | undefined,
  extra: Partial<DestinationLineageSnapshot> = {},
): DestinationLineageSnapshot => ({
  id,
  blocksOf: `src-of-${id}`,
  encrypted: false,
  ...(completesAt !== undefined ? { completesAt } : {}),
  gone: false,
  archived: false,
  ...extra,
});

const PLAIN = { encrypted: false } as const;
const UNDER_A = { encrypted: true, kmsKeyArn: KEY_A } as const;

// EBS user guide, "Copy an Amazon EBS snapshot", incremental snapshot copying.
const ROWS: ReadonlyArray<{
  rule: string;
  lineage: DestinationLineageSnapshot[];
  destination: { encrypted: boolean; kmsKeyArn?: string };
  expect: { incremental: false } | { incremental: true; base: string; waitMs: number };
}> = [
  {
    rule: 'never copied to the destination → full',
    lineage: [],
    destination: PLAIN,
    expect: { incremental: false },
  },
  {
    rule: 'copied before, the most recent copy exists, same (no) key → incremental on it',
    lineage: [copy('old', 10), copy('recent', 20)],
    destination: PLAIN,
    expect: { incremental: true, base: 'recent', waitMs: 0 },
  },
  {
    rule: 'the most recent copy was deleted, an older one remains → full',
    lineage: [copy('old', 10), copy('recent', 20, { gone: true })],
    destination: PLAIN,
    expect: { incremental: false },
  },
  {
    rule: 'the most recent copy waits for its deletion (EC2 deletes a pending copy when it completes) → full',
    lineage: [copy('old', 10), copy('recent', NOW + 5, { gone: true })],
    destination: PLAIN,
    expect: { incremental: false },
  },
  {
    rule: 'an older copy was deleted, the most recent remains → incremental',
    lineage: [copy('old', 10, { gone: true }), copy('recent', 20)],
    destination: PLAIN,
    expect: { incremental: true, base: 'recent', waitMs: 0 },
  },
  {
    rule: 'the most recent copy is still pending → incremental on it once it completes (the new copy waits)',
    lineage: [copy('old', 10), copy('pending', NOW + 7_000)],
    destination: PLAIN,
    expect: { incremental: true, base: 'pending', waitMs: 7_000 },
  },
  {
    rule: 'a pending copy that will fail never completes → the older copy decides',
    lineage: [copy('old', 10), copy('failing', undefined)],
    destination: PLAIN,
    expect: { incremental: true, base: 'old', waitMs: 0 },
  },
  {
    rule: 'the most recent copy is archived → full',
    lineage: [copy('recent', 20, { archived: true })],
    destination: PLAIN,
    expect: { incremental: false },
  },
  {
    rule: 'all copies under key A, the new copy under A → incremental',
    lineage: [copy('a1', 10, UNDER_A), copy('a2', 20, UNDER_A)],
    destination: UNDER_A,
    expect: { incremental: true, base: 'a2', waitMs: 0 },
  },
  {
    rule: 'all copies under key A, the new copy under B → full (a new key)',
    lineage: [copy('a1', 10, UNDER_A)],
    destination: { encrypted: true, kmsKeyArn: KEY_B },
    expect: { incremental: false },
  },
  {
    rule: 'copies under mixed keys, the most recent matching → full',
    lineage: [copy('b1', 10, { encrypted: true, kmsKeyArn: KEY_B }), copy('a1', 20, UNDER_A)],
    destination: UNDER_A,
    expect: { incremental: false },
  },
  {
    rule: 'the copy under another key was deleted, the rest match → incremental',
    lineage: [copy('b1', 10, { encrypted: true, kmsKeyArn: KEY_B, gone: true }), copy('a1', 20, UNDER_A)],
    destination: UNDER_A,
    expect: { incremental: true, base: 'a1', waitMs: 0 },
  },
  {
    rule: 'unencrypted copies, an encrypted new copy → full',
    lineage: [copy('p1', 10)],
    destination: UNDER_A,
    expect: { incremental: false },
  },
];

describe('decideIncremental (EBS user guide, incremental snapshot copying)', () => {
  it.each(ROWS.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const out = decideIncremental(row.lineage, row.destination, NOW);
    if (!row.expect.incremental) {
      expect(out.incremental).toBe(false);
      return;
    }
    expect(out).toMatchObject({
      incremental: true,
      waitMs: row.expect.waitMs,
      base: { id: row.expect.base },
    });
  });
});
