import { parseCopyRequest } from '@snapcopy/core';
import { batchClientToken } from '@snapcopy/orchestrator';
import { QueueBackoff } from '@snapcopy/orchestrator/runner';
import { describe, expect, it } from 'vitest';

describe('batchClientToken', () => {
  const rows = [
    {
      rule: 'short printable batch id: <batchId>.<index>',
      batchId: 'nightly-2026-01-01',
      index: 7,
      token: 'nightly-2026-01-01.7',
    },
    {
      rule: 'a UUID batch id fits',
      batchId: '0b7c6f7e-2f7a-4d8e-9a53-1f3c2b5d6e7f',
      index: 999,
      token: '0b7c6f7e-2f7a-4d8e-9a53-1f3c2b5d6e7f.999',
    },
    { rule: 'too long: hashed', batchId: 'x'.repeat(70), index: 0, token: /^snapcopy-[0-9a-f]{40}$/ },
    {
      rule: 'not printable ASCII: hashed',
      batchId: 'nuit du 1er',
      index: 0,
      token: /^snapcopy-[0-9a-f]{40}$/,
    },
  ] as const;
  for (const row of rows) {
    it(row.rule, () => {
      const token = batchClientToken(row.batchId, row.index);
      if (typeof row.token === 'string') expect(token).toBe(row.token);
      else expect(token).toMatch(row.token);
      // Always a valid token, and the same every time.
      expect(() =>
        parseCopyRequest({
          source: { region: 'us-east-1', snapshotId: 's' },
          destination: { region: 'us-west-2' },
          clientToken: token,
        }),
      ).not.toThrow();
      expect(batchClientToken(row.batchId, row.index)).toBe(token);
    });
  }
  it('differs per index, also when hashed', () => {
    const long = 'y'.repeat(80);
    expect(batchClientToken(long, 1)).not.toBe(batchClientToken(long, 2));
  });
});

describe('QueueBackoff', () => {
  it('grows its cap with each throttle in a row and resets on success', () => {
    const b = new QueueBackoff({ baseDelayMs: 1_000, maxDelayMs: 8_000 }, () => 0.999);
    expect(b.strike(0)).toBe(999);
    expect(b.strike(0)).toBe(1_998);
    expect(b.strike(0)).toBe(3_996);
    expect(b.strike(0)).toBe(7_992);
    expect(b.strike(0)).toBe(7_992);
    b.success();
    expect(b.strikes).toBe(0);
    expect(b.strike(100_000)).toBe(999);
  });
  it('never shortens a pause already set', () => {
    const b = new QueueBackoff({ baseDelayMs: 1_000, maxDelayMs: 60_000 }, () => 0.999);
    b.strike(0);
    b.strike(0);
    const long = b.pausedUntil;
    b.success();
    b.strike(0);
    expect(b.pausedUntil).toBe(long);
  });
  it('pauses at least 1 ms even when the jitter draws 0', () => {
    const b = new QueueBackoff({ baseDelayMs: 1_000, maxDelayMs: 60_000 }, () => 0);
    expect(b.strike(10)).toBe(1);
    expect(b.pausedUntil).toBe(11);
  });
});
