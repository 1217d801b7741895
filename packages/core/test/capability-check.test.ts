import { describe, expect, it } from 'vitest';
import { checkRequestAgainstCapabilities } from '../src/capability-check.js';
import { defineCapabilities, parseCopyRequest } from '../src/index.js';

const none = defineCapabilities({});
const all = defineCapabilities({
  crossRegionCopy: true,
  sameRegionStandardCopy: true,
  sameRegionEncryptedCopy: true,
  crossAccountCopy: true,
  retentionPeriod: true,
  retentionDaysRange: [1, 30],
  timeBasedCopy: true,
  completionDurationMinutes: { min: 15, max: 2880, step: 15 },
  tagsOnCopy: true,
  maxUserTags: 2,
});
const req = (extra: Record<string, unknown>) =>
  parseCopyRequest({
    source: { region: 'us-east-1', snapshotId: 's-1' },
    destination: { region: 'us-west-2' },
    ...extra,
  });

describe('checkRequestAgainstCapabilities', () => {
  it.each([
    {
      rule: 'cross-region copy needs crossRegionCopy',
      r: req({}),
      code: 'UNSUPPORTED',
      flag: 'crossRegionCopy',
    },
    {
      rule: 'explicit unencrypted same-region copy needs sameRegionStandardCopy',
      r: req({ destination: { region: 'us-east-1' }, encryption: { encrypted: false } }),
      code: 'UNSUPPORTED',
      flag: 'sameRegionStandardCopy',
    },
    {
      rule: 'encrypted same-region copy needs sameRegionEncryptedCopy',
      r: req({ destination: { region: 'us-east-1' }, encryption: { encrypted: true } }),
      code: 'UNSUPPORTED',
      flag: 'sameRegionEncryptedCopy',
    },
    {
      rule: 'a shared source needs crossAccountCopy',
      r: req({
        destination: { region: 'us-east-1' },
        source: { region: 'us-east-1', snapshotId: 's', account: '2' },
      }),
      code: 'UNSUPPORTED',
      flag: 'crossAccountCopy',
    },
    {
      rule: 'retention needs retentionPeriod',
      r: req({ destination: { region: 'us-east-1' }, retentionDays: 3 }),
      code: 'UNSUPPORTED',
      flag: 'retentionPeriod',
    },
    {
      rule: 'completion duration needs timeBasedCopy',
      r: req({ destination: { region: 'us-east-1' }, completionDurationMinutes: 15 }),
      code: 'UNSUPPORTED',
      flag: 'timeBasedCopy',
    },
    {
      rule: 'tags need tagsOnCopy',
      r: req({ destination: { region: 'us-east-1' }, tags: { a: 'b' } }),
      code: 'UNSUPPORTED',
      flag: 'tagsOnCopy',
    },
  ])('no capabilities: $rule', ({ r, code, flag }) => {
    const err = checkRequestAgainstCapabilities('p', none, r);
    expect(err?.code).toBe(code);
    expect(err?.message).toContain(flag);
    expect(err?.details).toEqual({ scope: 'capability', capability: flag });
  });

  it('a same-region request without an explicit encryption choice is left to the adapter (depends on the source)', () => {
    expect(
      checkRequestAgainstCapabilities('p', none, req({ destination: { region: 'us-east-1' } })),
    ).toBeUndefined();
  });

  it.each([
    {
      rule: 'retention outside the provider range is INVALID_REQUEST',
      r: req({ retentionDays: 31 }),
      code: 'INVALID_REQUEST',
    },
    {
      rule: 'retention at the bottom of the provider range passes',
      r: req({ retentionDays: 1 }),
      code: undefined,
    },
    {
      rule: 'more user tags than the provider leaves room for',
      r: req({ tags: { a: '1', b: '2', c: '3' } }),
      code: 'INVALID_REQUEST',
    },
    {
      rule: 'completion duration below the manifest minimum (15) is INVALID_REQUEST',
      r: req({ completionDurationMinutes: 14 }),
      code: 'INVALID_REQUEST',
    },
    {
      rule: 'completion duration above the manifest maximum (2880) is INVALID_REQUEST',
      r: req({ completionDurationMinutes: 2895 }),
      code: 'INVALID_REQUEST',
    },
    {
      rule: 'completion duration off the manifest step (15) is INVALID_REQUEST',
      r: req({ completionDurationMinutes: 20 }),
      code: 'INVALID_REQUEST',
    },
    {
      rule: 'completion duration at the manifest maximum passes',
      r: req({ completionDurationMinutes: 2880 }),
      code: undefined,
    },
  ])('all capabilities: $rule', ({ r, code }) => {
    const err = checkRequestAgainstCapabilities('p', all, r);
    expect(err?.code).toBe(code);
    if (code === 'INVALID_REQUEST') expect(err?.issues.length).toBe(1);
  });

  it('all capabilities: a full request passes', () => {
    const r = req({
      retentionDays: 30,
      completionDurationMinutes: 60,
      tags: { a: '1', b: '2' },
      encryption: { encrypted: true, kmsKeyId: 'k' },
    });
    expect(checkRequestAgainstCapabilities('p', all, r)).toBeUndefined();
  });
});
