import { describe, expect, it } from 'vitest';
import { estimateCopyCost, type PriceTable } from '../src/index.js';

const table: PriceTable = {
  currency: 'USD',
  source: 'example table for tests',
  asOf: '2026-11-01',
  transferPerGiB: { 'us-east-1>us-west-2': 0.02, 'us-east-1>*': 0.03, '*': 0.09 },
  storagePerGiBMonth: 0.05,
  timeBasedPerGiB: 0.01,
  customerKeyPerMonth: 1,
};
const kmsNone = { customerManagedKey: false, serviceKey: false };

describe('estimateCopyCost', () => {
  it.each([
    {
      rule: 'exact region pair price',
      from: 'us-east-1',
      to: 'us-west-2',
      gib: { transfer: 100, storage: 100, timeBased: 0 },
      oneOff: 2,
      monthly: 5,
    },
    {
      rule: 'source-wide fallback price',
      from: 'us-east-1',
      to: 'eu-west-1',
      gib: { transfer: 100, storage: 100, timeBased: 0 },
      oneOff: 3,
      monthly: 5,
    },
    {
      rule: 'global fallback price',
      from: 'ap-east-1',
      to: 'eu-west-1',
      gib: { transfer: 10, storage: 10, timeBased: 0 },
      oneOff: 0.9,
      monthly: 0.5,
    },
    {
      rule: 'same region: no transfer charge even with GiB',
      from: 'us-east-1',
      to: 'us-east-1',
      gib: { transfer: 100, storage: 100, timeBased: 0 },
      oneOff: 0,
      monthly: 5,
    },
    {
      rule: 'time-based fee per GiB',
      from: 'us-east-1',
      to: 'us-west-2',
      gib: { transfer: 100, storage: 100, timeBased: 100 },
      oneOff: 3,
      monthly: 5,
    },
    {
      rule: 'free metadata copy',
      from: 'us-east-1',
      to: 'us-east-1',
      gib: { transfer: 0, storage: 0, timeBased: 0 },
      oneOff: 0,
      monthly: 0,
    },
  ])('$rule', ({ from, to, gib, oneOff, monthly }) => {
    const est = estimateCopyCost(
      { billableGiB: gib, kms: kmsNone, sourceRegion: from, destinationRegion: to },
      table,
    );
    expect(est.oneOff).toBeCloseTo(oneOff, 6);
    expect(est.monthly).toBeCloseTo(monthly, 6);
    expect(est.priceSource).toBe('example table for tests as of 2026-11-01');
  });

  it('a customer-managed key adds its monthly price', () => {
    const est = estimateCopyCost(
      {
        billableGiB: { transfer: 0, storage: 0, timeBased: 0 },
        kms: { customerManagedKey: true, serviceKey: false },
        sourceRegion: 'a-b-1',
        destinationRegion: 'a-b-1',
      },
      table,
    );
    expect(est.monthly).toBe(1);
  });

  it('refuses a table without its source and date', () => {
    const { source: _s, ...unlabelled } = table;
    expect(() =>
      estimateCopyCost(
        {
          billableGiB: { transfer: 1, storage: 1, timeBased: 0 },
          kms: kmsNone,
          sourceRegion: 'a',
          destinationRegion: 'b',
        },
        unlabelled as PriceTable,
      ),
    ).toThrow();
  });
});
