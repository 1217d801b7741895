import { is } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { CopierRegistry, createCliRegistry, loadCapabilities } from '../src/composition-root.js';
import { isProviderName, PROVIDER_NAMES, PROVIDERS } from '../src/providers.js';

describe('the provider table and the composition root', () => {
  it('every table entry loads a provider of the same name, with a manifest', async () => {
    for (const name of PROVIDER_NAMES) {
      const provider = await PROVIDERS[name].load();
      expect(provider.provider).toBe(name);
      expect(PROVIDERS[name].name).toBe(name);
      expect(await loadCapabilities(name)).toBe(provider.capabilities);
      expect(PROVIDERS[name].endpointEnv).toMatch(/^SNAPCOPY_[A-Z]+_ENDPOINT$/);
    }
  });

  it('the container resolves a registry holding exactly the providers asked for', async () => {
    const registry = await createCliRegistry(['alibaba']);
    expect(registry.names()).toEqual(['alibaba']);
    const both = await createCliRegistry(['aws', 'alibaba', 'aws']);
    expect(both.names()).toEqual(['aws', 'alibaba']);
    expect(both.get('aws').provider).toBe('aws');
  });

  it('an unknown provider is UNSUPPORTED; names are checked against the table', () => {
    let err: unknown;
    try {
      new CopierRegistry([]).get('nope');
    } catch (e) {
      err = e;
    }
    expect(is(err, 'UNSUPPORTED')).toBe(true);
    expect(isProviderName('aws')).toBe(true);
    expect(isProviderName('toString')).toBe(false);
    expect(isProviderName('gcp')).toBe(false);
  });
});
