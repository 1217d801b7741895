import { estimateRemaining, type ProgressSample } from '@snapcopy/orchestrator';
import { nextPollDelay, nextReadAt } from '@snapcopy/orchestrator/runner';
import { describe, expect, it } from 'vitest';

const bounds = { minMs: 5_000, maxMs: 300_000 };
const fromStart = (at: number, progress: number): ProgressSample => ({
  baseAt: 0,
  baseProgress: 0,
  baseUncertainty: 0,
  at,
  progress,
});

describe('estimateRemaining', () => {
  const rows: { rule: string; sample: ProgressSample; lower: number; upper: number }[] = [
    {
      rule: 'no time since the baseline: nothing known',
      sample: fromStart(0, 0),
      lower: 0,
      upper: Number.POSITIVE_INFINITY,
    },
    {
      rule: 'no progress yet: the lower bound assumes just under 1%, no upper bound',
      sample: fromStart(5_000, 0),
      lower: 495_000,
      upper: Number.POSITIVE_INFINITY,
    },
    {
      rule: 'a rounded-down reading: fastest rate (p+1) gives the lower bound, p the upper',
      sample: fromStart(500_000, 83),
      lower: (500_000 * 16) / 84,
      upper: (500_000 * 17) / 83,
    },
    { rule: 'finished: nothing left', sample: fromStart(10_000, 100), lower: 0, upper: 0 },
    {
      rule: 'a reading as baseline (resumed copy) widens the window by its own rounding',
      sample: { baseAt: 0, baseProgress: 50, baseUncertainty: 1, at: 100_000, progress: 60 },
      lower: (39 * 100_000) / 11,
      upper: (40 * 100_000) / 9,
    },
    {
      rule: 'no progress since a reading baseline: no upper bound',
      sample: { baseAt: 0, baseProgress: 50, baseUncertainty: 1, at: 100_000, progress: 50 },
      lower: 49 * 100_000,
      upper: Number.POSITIVE_INFINITY,
    },
  ];
  for (const row of rows) {
    it(row.rule, () => {
      const e = estimateRemaining(row.sample);
      expect(e.lowerMs).toBeCloseTo(row.lower, 6);
      if (Number.isFinite(row.upper)) expect(e.upperMs).toBeCloseTo(row.upper, 6);
      else expect(e.upperMs).toBe(Number.POSITIVE_INFINITY);
    });
  }
});

describe('nextReadAt', () => {
  const rows: { rule: string; sample: ProgressSample; at: number }[] = [
    {
      rule: 'just started, nothing expected: after the shortest interval',
      sample: fromStart(0, 0),
      at: 5_000,
    },
    {
      rule: 'just started, duration expected from finished copies: at 80% of it',
      sample: { ...fromStart(0, 0), expectedMs: 200_000 },
      at: 160_000,
    },
    {
      rule: 'just started, short expected duration: never sooner than the shortest interval',
      sample: { ...fromStart(0, 0), expectedMs: 2_000 },
      at: 5_000,
    },
    {
      rule: 'just started, long expected duration: never later than the longest interval',
      sample: { ...fromStart(0, 0), expectedMs: 3_600_000 },
      at: 300_000,
    },
    {
      rule: 'long copy at 99%: a window within 1% of its duration (not 5 s) is read at the latest completion',
      sample: fromStart(3_564_000, 99),
      at: 3_564_000 + 3_564_000 / 99,
    },
    {
      rule: 'window wider than the shortest interval: read at the earliest completion',
      sample: fromStart(500_000, 83),
      at: 500_000 + (500_000 * 16) / 84,
    },
    {
      rule: 'window narrower than the shortest interval: read at the latest completion',
      sample: fromStart(100_000, 97),
      at: 100_000 + (100_000 * 3) / 97,
    },
    {
      rule: 'never later than the longest interval',
      sample: fromStart(5_000, 0),
      at: 5_000 + 300_000,
    },
  ];
  for (const row of rows) {
    it(row.rule, () => {
      expect(nextReadAt(row.sample, bounds)).toBeCloseTo(row.at, 6);
    });
  }
});

describe('nextPollDelay', () => {
  const rows: { rule: string; samples: ProgressSample[]; now: number; delay: number }[] = [
    { rule: 'nothing to read: the longest interval', samples: [], now: 0, delay: 300_000 },
    {
      rule: 'the soonest copy decides',
      samples: [fromStart(500_000, 83), fromStart(500_000, 40)],
      now: 500_000,
      delay: Math.ceil((500_000 * 16) / 84),
    },
    {
      rule: 'clamped up to the shortest interval',
      samples: [fromStart(500_000, 99)],
      now: 500_000,
      delay: 5_000,
    },
    {
      rule: 'clamped down to the longest interval',
      samples: [fromStart(5_000, 0)],
      now: 5_000,
      delay: 300_000,
    },
  ];
  for (const row of rows) {
    it(row.rule, () => {
      expect(nextPollDelay(row.samples, row.now, bounds)).toBe(row.delay);
    });
  }
});
