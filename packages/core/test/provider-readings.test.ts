import { describe, expect, it } from 'vitest';
import { definedFields, snapshotSummary, sourceImageFacts, throwIfIssues } from '../src/driver.js';

describe('snapshotSummary: what a provider read, absent fields left out', () => {
  const read = {
    region: 'r',
    snapshotId: 's',
    ownership: 'shared' as const,
    ownerAccount: '111',
    state: 'completed' as const,
    tags: {},
    encrypted: true,
    description: '',
    name: undefined,
    kmsKeyId: 'k',
    volumeId: undefined,
    volumeSizeGiB: 0,
    createdAt: 5,
    groupId: undefined,
  };

  it('keeps the fields every summary has, drops undefined and empty optional ones, keeps 0', () => {
    const out = snapshotSummary(read);
    expect(out).toEqual({
      region: 'r',
      snapshotId: 's',
      ownership: 'shared',
      ownerAccount: '111',
      state: 'completed',
      tags: {},
      encrypted: true,
      kmsKeyId: 'k',
      volumeSizeGiB: 0,
      createdAt: 5,
    });
    // The reading's order is the summary's (JSON output stays stable).
    expect(Object.keys(out)).toEqual([
      'region',
      'snapshotId',
      'ownership',
      'ownerAccount',
      'state',
      'tags',
      'encrypted',
      'kmsKeyId',
      'volumeSizeGiB',
      'createdAt',
    ]);
  });

  it('keeps an empty snapshotId (a required field)', () => {
    expect(snapshotSummary({ ...read, snapshotId: '' }).snapshotId).toBe('');
  });
});

describe('sourceImageFacts', () => {
  it('the ref and ownership from the request, the rest as read; absent name and owner left out', () => {
    expect(
      sourceImageFacts({ region: 'r', imageId: 'i' }, 'owned', {
        rootDeviceType: 'ebs',
        tags: { a: '1' },
        name: undefined,
        ownerAccount: '',
      }),
    ).toEqual({ region: 'r', imageId: 'i', ownership: 'owned', rootDeviceType: 'ebs', tags: { a: '1' } });
    expect(
      sourceImageFacts({ region: 'r', imageId: 'i' }, 'shared', {
        rootDeviceType: 'instance-store',
        tags: {},
        name: 'n',
        ownerAccount: '222',
      }),
    ).toMatchObject({ name: 'n', ownerAccount: '222', rootDeviceType: 'instance-store' });
  });
});

describe('throwIfIssues', () => {
  it('throws INVALID_REQUEST naming the fields and the provider; nothing for no issues', () => {
    expect(() => throwIfIssues([], 'p')).not.toThrow();
    expect(() => throwIfIssues([{ path: 'x', message: 'bad' }], 'p')).toThrow(
      expect.objectContaining({
        code: 'INVALID_REQUEST',
        provider: 'p',
        message: expect.stringContaining('x: bad'),
      }),
    );
  });
});

describe('definedFields', () => {
  it('leaves out undefined values only (null, 0, false and empty strings stay), in order', () => {
    const out = definedFields({ a: undefined, b: 0, c: null, d: false, e: '', f: 'x' });
    expect(out).toEqual({ b: 0, c: null, d: false, e: '', f: 'x' });
    expect('a' in out).toBe(false);
    expect(Object.keys(out)).toEqual(['b', 'c', 'd', 'e', 'f']);
  });
});
