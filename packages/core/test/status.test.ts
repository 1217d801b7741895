import { describe, expect, it } from 'vitest';
import { parseProgressPercent } from '../src/driver.js';

describe('parseProgressPercent', () => {
  it.each([
    ['a percentage is read as a number', '56%', Math.round, 56],
    ['rounding by default: 99.6% reads 100', '99.6%', undefined, 100],
    ['truncating when asked: 99.6% reads 99', '99.6%', Math.floor, 99],
    ['above 100 is clamped to 100', '150%', Math.round, 100],
    ['below 0 is clamped to 0', '-5%', Math.round, 0],
    ['missing text gives the fallback', undefined, Math.round, 7],
    ['unreadable text gives the fallback', 'soon', Math.round, 7],
  ] as const)('%s', (_rule, text, toWhole, expected) => {
    expect(parseProgressPercent(text, 7, toWhole)).toBe(expected);
  });
});
