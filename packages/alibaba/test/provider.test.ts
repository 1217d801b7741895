import { CAPABILITY_KEYS } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { resolveCjsDefault, resolveCjsNamed } from '../src/ecs-sdk.js';
import {
  ALIBABA_ECS_CAPABILITIES,
  AlibabaEcsSnapshotCopier,
  alibabaEcsCopierProvider,
} from '../src/index.js';
import { TEST_CREDENTIALS } from './support/nock-copier.js';

describe('provider', () => {
  it('the provider carries the manifest and creates an Alibaba copier without loading the SDK', () => {
    expect(alibabaEcsCopierProvider.provider).toBe('alibaba');
    expect(alibabaEcsCopierProvider.capabilities).toBe(ALIBABA_ECS_CAPABILITIES);
    const copier = alibabaEcsCopierProvider.create({ credentials: TEST_CREDENTIALS });
    expect(copier).toBeInstanceOf(AlibabaEcsSnapshotCopier);
    expect(Object.keys(copier.capabilities).sort()).toEqual([...CAPABILITY_KEYS].sort());
  });
});

describe('resolving a CommonJS default export (plain node and vitest differ)', () => {
  class Client {}
  const isClient = (c: unknown) => c === Client;
  const rows: [shape: string, mod: unknown][] = [
    [
      'plain node: { default: module.exports } with exports.default = class',
      { default: { default: Client } },
    ],
    ['vitest/bundler interop: { default: class }', { default: Client }],
    ['module.exports handed over as the class itself', Client],
  ];
  for (const [shape, mod] of rows) {
    it(shape, () => {
      expect(resolveCjsDefault(mod, isClient)).toBe(Client);
    });
  }
  it('throws when nothing matches', () => {
    expect(() => resolveCjsDefault({ default: {} }, isClient)).toThrow(TypeError);
  });
  it('named exports are found on the namespace or on module.exports', () => {
    expect(resolveCjsNamed({ X: 1 }, 'X')).toBe(1);
    expect(resolveCjsNamed({ default: { X: 2 } }, 'X')).toBe(2);
    expect(() => resolveCjsNamed({ default: {} }, 'X')).toThrow(TypeError);
  });
});
