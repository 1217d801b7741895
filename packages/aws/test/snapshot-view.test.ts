import type { Snapshot } from '@aws-sdk/client-ec2';
import type { CopyState } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { observedSnapshot, parseProgress } from '../src/snapshot-view.js';

type Row = [rule: string, snapshot: Snapshot, state: CopyState, progress: number, message?: RegExp];

const ID = 'snap-0123456789abcdef0';
const snap = (over: Partial<Snapshot>): Snapshot => ({ SnapshotId: ID, ...over });

// biome-ignore format: one row per line keeps the table readable
const ROWS: Row[] = [
  ['pending with "NN%" → pending, progress NN', snap({ State: 'pending', Progress: '56%' }), 'pending', 56],
  ['pending without progress → 0', snap({ State: 'pending' }), 'pending', 0],
  ['completed → completed, 100 whatever Progress says', snap({ State: 'completed', Progress: '99%' }), 'completed', 100],
  ['error → failed with AWS\'s message', snap({ State: 'error', StateMessage: 'Given key ID is not accessible', Progress: '0%' }), 'failed', 0, /Given key ID is not accessible/],
  ['error without a message → failed, says AWS gave none', snap({ State: 'error' }), 'failed', 0, /no reason/],
  ['recoverable (in the Recycle Bin) → failed', snap({ State: 'recoverable', Progress: '100%' }), 'failed', 100, /Recycle Bin/],
  ['recovering → pending', snap({ State: 'recovering', Progress: '20%' }), 'pending', 20, /Recycle Bin/],
  ['an unknown state → pending (keep polling), saying so', snap({ State: 'weird' as Snapshot['State'] }), 'pending', 0, /unknown state/],
];

describe("observedSnapshot: an EC2 snapshot in the copy protocol's words", () => {
  it.each(ROWS)('%s', (_rule, snapshot, state, progress, message) => {
    const s = observedSnapshot('us-west-2', snapshot);
    expect(s).toMatchObject({ region: 'us-west-2', id: ID, state, progress, rawState: snapshot.State });
    if (message) expect(s.message).toMatch(message);
  });

  it('carries the encryption, key, tags and start time AWS reports', () => {
    const s = observedSnapshot(
      'us-west-2',
      snap({
        State: 'completed',
        Encrypted: true,
        KmsKeyId: 'arn:k',
        Tags: [{ Key: 'team', Value: 'dr' }],
        StartTime: new Date(5000),
      }),
    );
    expect(s).toMatchObject({ encrypted: true, kmsKeyId: 'arn:k', tags: { team: 'dr' }, createdAt: 5000 });
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
