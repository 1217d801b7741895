// The engine's pure rules, one row per documented case (docs/deploy.md and the functions' comments).
import {
  copyWorkflowId,
  cronForPeriod,
  type ExecutorFacts,
  judgeExecutor,
  MAX_DEAD_AFTER_MS,
  partitionId,
  partitionOf,
  queuePartitionKey,
  resolveSettings,
  withSessionOptions,
} from '@snapcopy/engine-dbos';
import { describe, expect, it } from 'vitest';

const DEAD = 60_000;
const other = (facts: Partial<ExecutorFacts>): ExecutorFacts => ({
  executorId: 'w2',
  appVersion: 'v1',
  silentMs: 1_000,
  claimedSinceLastBeat: false,
  ...facts,
});

describe('judgeExecutor: does this worker take another over (docs/deploy.md, "Takeover")', () => {
  it.each([
    { rule: '1 self', self: 'w2', other: other({}), beating: DEAD, verdict: 'leave', named: 'self' },
    {
      rule: '2 another workflow version: only a worker of its version can recover it',
      self: 'w1',
      other: other({ appVersion: 'v2', silentMs: undefined }),
      beating: DEAD,
      verdict: 'leave',
      named: 'other-version',
    },
    {
      rule: '3 claimed since its last beat by a worker that beats',
      self: 'w1',
      other: other({ silentMs: 90_000, claimedSinceLastBeat: true, claimantSilentMs: 2_000 }),
      beating: DEAD,
      verdict: 'leave',
      named: 'claimed',
    },
    {
      rule: '3 claimed, but its claimant died too: claimed again',
      self: 'w1',
      other: other({ silentMs: 90_000, claimedSinceLastBeat: true, claimantSilentMs: 70_000 }),
      beating: DEAD,
      verdict: 'take-over',
      named: 'silent',
    },
    {
      rule: '4 marked gone (clean stop, snapcopy recover): at once, even before the guard',
      self: 'w1',
      other: other({ silentMs: undefined }),
      beating: 0,
      verdict: 'take-over',
      named: 'marked-gone',
    },
    {
      rule: '5 silent for less than the bound: alive',
      self: 'w1',
      other: other({ silentMs: DEAD - 1 }),
      beating: DEAD,
      verdict: 'leave',
      named: 'alive',
    },
    {
      rule: '6 this worker itself beat for less than the bound (after an outage): wait',
      self: 'w1',
      other: other({ silentMs: DEAD + 5_000 }),
      beating: DEAD - 1,
      verdict: 'leave',
      named: 'guard',
    },
    {
      rule: '7 silent for the bound while this worker beat: dead',
      self: 'w1',
      other: other({ silentMs: DEAD }),
      beating: DEAD,
      verdict: 'take-over',
      named: 'silent',
    },
  ])('$rule', ({ self, other: o, beating, verdict, named }) => {
    expect(
      judgeExecutor({ self, version: 'v1', selfBeatingForMs: beating, deadAfterMs: DEAD, other: o }),
    ).toEqual({ verdict, rule: named });
  });
});

describe('cronForPeriod: a policy period as DBOS cron (six fields with seconds)', () => {
  it.each([
    [1_000, '* * * * * *'],
    [15_000, '*/15 * * * * *'],
    [60_000, '* * * * *'],
    [15 * 60_000, '*/15 * * * *'],
    [3_600_000, '0 * * * *'],
    [6 * 3_600_000, '0 */6 * * *'],
    [86_400_000, '0 0 * * *'],
    [7 * 60_000, undefined],
    [90 * 60_000, undefined],
    [5 * 3_600_000, undefined],
    [2 * 86_400_000, undefined],
    [0, undefined],
    [1_500, undefined],
  ])('%d ms → %s', (ms, cron) => {
    expect(cronForPeriod(ms)).toBe(cron);
  });
});

describe('names every worker and client agree on', () => {
  it.each([
    {
      rule: 'the destination account of the request wins',
      request: { destination: { region: 'eu-west-1', account: '222222222222' } },
      account: '111111111111',
      partition: 'aws/222222222222/eu-west-1',
      key: '222222222222/eu-west-1',
    },
    {
      rule: "else the copier's own account",
      request: { destination: { region: 'eu-west-1' } },
      account: '111111111111',
      partition: 'aws/111111111111/eu-west-1',
      key: '111111111111/eu-west-1',
    },
    {
      rule: 'else one named after the copier (a copier is one set of credentials)',
      request: { destination: { region: 'eu-west-1' } },
      account: undefined,
      partition: 'aws/copier:aws/eu-west-1',
      key: 'copier:aws/eu-west-1',
    },
  ])('partition: $rule', ({ request, account, partition, key }) => {
    const p = partitionOf('aws', request, account);
    expect(partitionId(p)).toBe(partition);
    expect(queuePartitionKey(p)).toBe(key);
  });

  it('a copy workflow id is its client token; a continuation adds ~n', () => {
    expect(copyWorkflowId('batch.7', 0)).toBe('batch.7');
    expect(copyWorkflowId('batch.7', 2)).toBe('batch.7~2');
  });
});

describe('worker settings', () => {
  it.each([
    {
      rule: `a dead-after past ${MAX_DEAD_AFTER_MS} ms is refused`,
      o: { deadAfterMs: 61_000 },
      error: /at most 60000/,
    },
    {
      rule: 'a dead-after under two heartbeats is refused',
      o: { heartbeatMs: 5_000, deadAfterMs: 9_000 },
      error: /at least twice heartbeatMs/,
    },
    {
      rule: 'a non-positive duration is refused',
      o: { timeScale: 0 },
      error: /timeScale must be a positive/,
    },
  ])('$rule', ({ o, error }) => {
    expect(() => resolveSettings(o)).toThrow(error);
  });

  it("defaults: dead after 60 s, heartbeat 5 s, the orchestrator's poll bounds", () => {
    expect(resolveSettings({})).toMatchObject({
      deadAfterMs: 60_000,
      heartbeatMs: 5_000,
      poll: { minMs: 5_000, maxMs: 300_000 },
      timeScale: 1,
    });
  });
});

describe('database URLs', () => {
  it('get the session settings DBOS would set from an unawaited pool hook, unless they set options', () => {
    expect(withSessionOptions('postgresql://u:p@127.0.0.1:5432/db')).toBe(
      'postgresql://u:p@127.0.0.1:5432/db?options=-c+idle_in_transaction_session_timeout%3D60000',
    );
    expect(withSessionOptions('postgresql://h/db?options=-c%20x%3Dy')).toBe(
      'postgresql://h/db?options=-c%20x%3Dy',
    );
  });

  it.each(['mysql://h/db', 'not a url'])('%s is refused', (url) => {
    expect(() => withSessionOptions(url)).toThrow(/postgresql/);
  });
});
