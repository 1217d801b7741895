import { Container, ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { type CopierProvider, type CopierRegistry, coreContainerModule, TOKENS } from '../src/di.js';
import { defineCapabilities, is, systemClock } from '../src/index.js';

const fakeProvider = (name: string): CopierProvider => ({
  provider: name,
  capabilities: defineCapabilities({}),
  create: () => {
    throw new Error('not needed');
  },
});

describe('core container module', () => {
  it('collects every bound provider into the registry', () => {
    const c = new Container();
    c.load(coreContainerModule());
    c.load(
      new ContainerModule(({ bind }) => {
        bind(TOKENS.CopierProvider).toConstantValue(fakeProvider('one'));
        bind(TOKENS.CopierProvider).toConstantValue(fakeProvider('two'));
      }),
    );
    const registry = c.get<CopierRegistry>(TOKENS.CopierRegistry);
    expect(registry.names()).toEqual(['one', 'two']);
    expect(registry.get('two').provider).toBe('two');
    expect(c.get(TOKENS.Clock)).toBe(systemClock);
  });

  it('an empty registry resolves, and an unknown provider is UNSUPPORTED', () => {
    const c = new Container();
    c.load(coreContainerModule());
    const registry = c.get<CopierRegistry>(TOKENS.CopierRegistry);
    expect(registry.names()).toEqual([]);
    let err: unknown;
    try {
      registry.get('nope');
    } catch (e) {
      err = e;
    }
    expect(is(err, 'UNSUPPORTED')).toBe(true);
  });
});
