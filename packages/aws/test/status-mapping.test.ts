import type { Snapshot } from '@aws-sdk/client-ec2';
import type { CopyState } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { absentStatus, CANCELLED_TAG, parseProgress, snapshotStatus } from '../src/index.js';

type Row = [
  rule: string,
  snapshot: Snapshot,
  cancelledHere: boolean,
  state: CopyState,
  progress: number,
  message?: RegExp,
];

const ID = 'snap-0123456789abcdef0';
const snap = (over: Partial<Snapshot>): Snapshot => ({ SnapshotId: ID, ...over });
const cancelledTag = [{ Key: CANCELLED_TAG, Value: 'true' }];

// biome-ignore format: one row per line keeps the table readable
const ROWS: Row[] = [
  ['pending with "NN%" → pending, progress NN', snap({ State: 'pending', Progress: '56%' }), false, 'pending', 56],
  ['pending without progress → 0', snap({ State: 'pending' }), false, 'pending', 0],
  ['completed → completed, 100 whatever Progress says', snap({ State: 'completed', Progress: '99%' }), false, 'completed', 100],
  ['error → failed with AWS\'s message', snap({ State: 'error', StateMessage: 'Given key ID is not accessible', Progress: '0%' }), false, 'failed', 0, /Given key ID is not accessible/],
  ['error without a message → failed, says AWS gave none', snap({ State: 'error' }), false, 'failed', 0, /no reason/],
  ['recoverable (in the Recycle Bin) → failed', snap({ State: 'recoverable', Progress: '100%' }), false, 'failed', 100, /Recycle Bin/],
  ['recovering → pending', snap({ State: 'recovering', Progress: '20%' }), false, 'pending', 20, /Recycle Bin/],
  ['pending, tagged cancelled (any process) → cancelled', snap({ State: 'pending', Progress: '30%', Tags: cancelledTag }), false, 'cancelled', 30, /deletes the copy when it completes/],
  ['pending, cancelled in this process → cancelled', snap({ State: 'pending', Progress: '30%' }), true, 'cancelled', 30],
  ['completed, tagged cancelled (delete on its way) → cancelled', snap({ State: 'completed', Tags: cancelledTag }), false, 'cancelled', 100],
  ['cancelled tag with another value → not cancelled', snap({ State: 'pending', Tags: [{ Key: CANCELLED_TAG, Value: 'false' }] }), false, 'pending', 0],
];

describe('snapshotStatus', () => {
  it.each(ROWS)('%s', (_rule, snapshot, cancelledHere, state, progress, message) => {
    const s = snapshotStatus('us-west-2', snapshot, cancelledHere);
    expect(s).toMatchObject({
      region: 'us-west-2',
      snapshotId: ID,
      state,
      progress,
      rawState: snapshot.State,
    });
    if (message) expect(s.message).toMatch(message);
  });

  it('carries the encryption and key AWS reports', () => {
    const s = snapshotStatus(
      'us-west-2',
      snap({ State: 'completed', Encrypted: true, KmsKeyId: 'arn:k' }),
      false,
    );
    expect(s).toMatchObject({ encrypted: true, kmsKeyId: 'arn:k' });
  });
});

describe('absentStatus', () => {
  it('an id AWS no longer returns: cancelled if this process cancelled it, else failed saying it is gone', () => {
    expect(absentStatus('us-west-2', ID, true)).toMatchObject({ state: 'cancelled', rawState: 'absent' });
    expect(absentStatus('us-west-2', ID, false)).toMatchObject({ state: 'failed', rawState: 'absent' });
    expect(absentStatus('us-west-2', ID, false).message).toMatch(/no longer exists/);
  });
});

describe('parseProgress', () => {
  it.each([
    ['56%', 56],
    ['100%', 100],
    ['0%', 0],
    ['12.6%', 13],
    ['', 7],
    ['n/a', 7],
    [undefined, 7],
  ] as const)('%s → %i', (text, n) => expect(parseProgress(text, 7)).toBe(n));
});
