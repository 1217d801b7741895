import { isSnapcopyError } from '@snapcopy/core';
import {
  type ConformanceContext,
  resolveConformanceOptions,
  type SnapshotCopierConformanceOptions,
} from './case.js';
import { SNAPSHOT_COPIER_CONFORMANCE_CASES } from './cases/index.js';
import type { Awaitable, ConformanceHarness, ConformanceLogLine } from './harness.js';
import { fail } from './support.js';

/** Every text an error exposes: message, stack, JSON view and the cause chain. */
function errorTexts(err: unknown, depth = 0): string[] {
  if (depth > 5 || err === undefined || err === null) return [];
  if (!(err instanceof Error) && !isSnapcopyError(err)) return [String(err)];
  const e = err as Error & { toJSON?: () => unknown };
  const texts = [String(e.message), String(e.stack ?? ''), String(e)];
  try {
    texts.push(JSON.stringify(typeof e.toJSON === 'function' ? e.toJSON() : e));
  } catch {
    // A cyclic SDK error cannot be serialized; its message and stack were taken above.
  }
  return [...texts, ...errorTexts(e.cause, depth + 1)];
}

/** What the runner needs of a harness, whatever the kind of copier it holds. */
export interface SecretHolder {
  /** A secret the copier holds that must never appear in an error message or a log line. */
  readonly sentinelSecret: string;
  /** Everything the copier logged, in order. */
  readonly logs: readonly ConformanceLogLine[];
  close(): Awaitable<void>;
}

/** Fails when the sentinel secret shows in any recorded error or log line. */
export function assertNoSecretLeak(harness: SecretHolder, errors: readonly unknown[]): void {
  const secret = harness.sentinelSecret;
  if (secret.length < 8) fail('sentinelSecret must be at least 8 characters to be searched for');
  errors.forEach((err, i) => {
    const leaked = errorTexts(err).find((t) => t.includes(secret));
    if (leaked)
      fail(
        `the sentinel secret appears in error #${i}: ${leaked.split(secret).join('<SECRET>').slice(0, 300)}`,
      );
  });
  harness.logs.forEach((line, i) => {
    const text = JSON.stringify(line);
    if (text.includes(secret))
      fail(
        `the sentinel secret appears in log line #${i}: ${text.split(secret).join('<SECRET>').slice(0, 300)}`,
      );
  });
}

/**
 * Runs one case against a fresh harness, then checks no secret leaked, and closes the
 * harness whatever happened. Usable without vitest (the meta-tests do).
 */
export async function runConformanceCase<H extends SecretHolder = ConformanceHarness>(
  testCase: { run(harness: H, context: ConformanceContext): Promise<void> },
  makeHarness: () => Awaitable<H>,
  options: SnapshotCopierConformanceOptions,
): Promise<void> {
  const harness = await makeHarness();
  const context: ConformanceContext = { options: resolveConformanceOptions(options), errors: [] };
  try {
    await testCase.run(harness, context);
    assertNoSecretLeak(harness, context.errors);
  } finally {
    await harness.close();
  }
}

/** Outcome of one case in {@link runConformanceCases}. */
export interface ConformanceCaseOutcome {
  readonly id: string;
  readonly passed: boolean;
  /** Why it failed. */
  readonly error?: unknown;
}

/** Runs cases in order (all by default) and reports each outcome instead of throwing. */
export async function runConformanceCases<H extends SecretHolder = ConformanceHarness>(
  makeHarness: () => Awaitable<H>,
  options: SnapshotCopierConformanceOptions,
  cases: readonly {
    readonly id: string;
    run(harness: H, context: ConformanceContext): Promise<void>;
  }[] = SNAPSHOT_COPIER_CONFORMANCE_CASES as never,
): Promise<ConformanceCaseOutcome[]> {
  const outcomes: ConformanceCaseOutcome[] = [];
  for (const testCase of cases) {
    try {
      await runConformanceCase(testCase, makeHarness, options);
      outcomes.push({ id: testCase.id, passed: true });
    } catch (error) {
      outcomes.push({ id: testCase.id, passed: false, error });
    }
  }
  return outcomes;
}
