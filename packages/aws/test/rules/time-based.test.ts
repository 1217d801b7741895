import { isSnapcopyError } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { minimumAwsCopyMinutes, validateAwsTimeBasedCopy } from '../../src/rules/time-based.js';

// 500 MiB/s for 15 minutes moves 450,000 MiB = 439.453125 GiB.
const FIFTEEN_MINUTES_GIB = 439.453125;

const ACCEPTED: { rule: string; minutes: number; sizeGiB: number; minimumMinutes: number }[] = [
  {
    rule: 'lower bound 15 minutes, empty snapshot → minimum 15',
    minutes: 15,
    sizeGiB: 0,
    minimumMinutes: 15,
  },
  { rule: 'small snapshot never needs less than 15 minutes', minutes: 15, sizeGiB: 100, minimumMinutes: 15 },
  {
    rule: 'exactly 15 minutes of data at 500 MiB/s fits 15 minutes',
    minutes: 15,
    sizeGiB: FIFTEEN_MINUTES_GIB,
    minimumMinutes: 15,
  },
  {
    rule: 'just over 15 minutes of data rounds up to the next step, 30',
    minutes: 30,
    sizeGiB: 440,
    minimumMinutes: 30,
  },
  { rule: '1000 GiB needs 34.1 minutes → minimum 45', minutes: 45, sizeGiB: 1000, minimumMinutes: 45 },
  { rule: 'a longer duration than the minimum is accepted', minutes: 120, sizeGiB: 1000, minimumMinutes: 45 },
  { rule: '16 TiB needs 559.2 minutes → minimum 570', minutes: 570, sizeGiB: 16384, minimumMinutes: 570 },
  { rule: 'upper bound 2880 minutes (48 h) is accepted', minutes: 2880, sizeGiB: 16384, minimumMinutes: 570 },
  {
    rule: '64 TiB (largest EBS snapshot) needs 2237 minutes → minimum 2250',
    minutes: 2880,
    sizeGiB: 65536,
    minimumMinutes: 2250,
  },
];

const REJECTED: { rule: string; minutes: number; sizeGiB: number; message: RegExp }[] = [
  { rule: 'below the 15-minute lower bound', minutes: 14, sizeGiB: 1, message: /between 15 and 2880/ },
  { rule: 'zero minutes', minutes: 0, sizeGiB: 1, message: /between 15 and 2880/ },
  { rule: 'above the 2880-minute upper bound', minutes: 2895, sizeGiB: 1, message: /between 15 and 2880/ },
  { rule: 'not a multiple of 15', minutes: 20, sizeGiB: 1, message: /multiple of 15/ },
  { rule: 'not a whole number of minutes', minutes: 15.5, sizeGiB: 1, message: /whole number/ },
  { rule: 'NaN minutes', minutes: Number.NaN, sizeGiB: 1, message: /whole number/ },
  {
    rule: 'too short for the size at 500 MiB/s → names the minimum',
    minutes: 15,
    sizeGiB: 440,
    message: /minimum is 30/,
  },
  {
    rule: '1000 GiB in 30 minutes is too short → minimum 45',
    minutes: 30,
    sizeGiB: 1000,
    message: /minimum is 45/,
  },
  {
    rule: '16 TiB in 60 minutes is too short → minimum 570',
    minutes: 60,
    sizeGiB: 16384,
    message: /minimum is 570/,
  },
  {
    rule: 'no allowed duration fits a size beyond 48 h of throughput',
    minutes: 2880,
    sizeGiB: 90000,
    message: /cannot be copied within 2880/,
  },
];

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('validateAwsTimeBasedCopy', () => {
  it.each(ACCEPTED.map((row) => [`accepts: ${row.rule}`, row] as const))(
    '%s',
    (_rule, { minutes, sizeGiB, minimumMinutes }) => {
      expect(validateAwsTimeBasedCopy(minutes, sizeGiB)).toEqual({
        completionDurationMinutes: minutes,
        minimumMinutes,
      });
      expect(minimumAwsCopyMinutes(sizeGiB)).toBe(minimumMinutes);
    },
  );

  it.each(REJECTED.map((row) => [`rejects: ${row.rule}`, row] as const))(
    '%s',
    (_rule, { minutes, sizeGiB, message }) => {
      const err = caught(() => validateAwsTimeBasedCopy(minutes, sizeGiB));
      expect(isSnapcopyError(err)).toBe(true);
      expect(err).toMatchObject({ code: 'INVALID_REQUEST', issues: [{ path: 'completionDurationMinutes' }] });
      expect((err as Error).message).toMatch(/completionDurationMinutes/);
      expect((err as Error).message).toMatch(message);
    },
  );

  it('rejects a negative size as INVALID_REQUEST on source.sizeGiB', () => {
    expect(caught(() => validateAwsTimeBasedCopy(60, -1))).toMatchObject({
      code: 'INVALID_REQUEST',
      issues: [{ path: 'source.sizeGiB' }],
    });
  });
});
