import type { Clock } from '@snapcopy/core';
import { type AlibabaEcsCopierOptions, createAlibabaEcsCopier } from '../../src/index.js';

/** Static test credentials: no default chain ever probes instance metadata. */
export const TEST_CREDENTIALS = Object.freeze({
  accessKeyId: 'LTAI5tTESTKEYID',
  accessKeySecret: 'test-secret-never-shown-0001',
});

/** The origin every nock-level test intercepts. */
export const STUB_ORIGIN = 'http://ecs.sandbox.test';

/** A clock that never waits: backoffs and polls advance its time at once. */
export function instantClock(start = Date.UTC(2026, 0, 1)): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      slept.push(ms);
      now += ms;
    },
  };
}

/** A copier aimed at the nock stub, with fast retries. */
export function stubCopier(overrides: AlibabaEcsCopierOptions = {}) {
  return createAlibabaEcsCopier({
    credentials: TEST_CREDENTIALS,
    endpoint: STUB_ORIGIN,
    clock: instantClock(),
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 },
    ...overrides,
  });
}
