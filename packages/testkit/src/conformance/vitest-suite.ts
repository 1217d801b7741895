import { describe, it } from 'vitest';
import type { ConformanceCase, ConformanceCaseOf, SnapshotCopierConformanceOptions } from './case.js';
import { SNAPSHOT_COPIER_CONFORMANCE_CASES } from './cases/index.js';
import type { Awaitable, ConformanceHarnessFactory } from './harness.js';
import { runConformanceCase, type SecretHolder } from './run-case.js';

/** What {@link runSnapshotCopierConformance} takes. */
export interface SnapshotCopierConformanceSuite {
  /** Shown in the describe block, e.g. `aws (nock)`. */
  readonly name: string;
  /** Builds a fresh, isolated harness; called once per test. */
  readonly makeHarness: ConformanceHarnessFactory;
  readonly options: SnapshotCopierConformanceOptions;
  /** More tests of your own, run inside the same describe block with the same factory. */
  readonly additionalTests?: (makeHarness: ConformanceHarnessFactory) => void;
}

/**
 * Registers one kind's conformance cases with vitest: one `it` per case, each on a fresh
 * harness, grouped by `group`. Cases named in `options.skip` show as skipped with their
 * reason; unknown ids there are an error.
 */
export function registerConformanceSuite<H extends SecretHolder>(
  title: string,
  cases: readonly ConformanceCaseOf<H>[],
  suite: {
    readonly name: string;
    readonly makeHarness: () => Awaitable<H>;
    readonly options: SnapshotCopierConformanceOptions;
    readonly additionalTests?: (makeHarness: () => Awaitable<H>) => void;
  },
): void {
  const skip = suite.options.skip ?? {};
  const known = new Set(cases.map((c) => c.id));
  const unknown = Object.keys(skip).filter((id) => !known.has(id));
  if (unknown.length > 0) throw new TypeError(`options.skip names unknown cases: ${unknown.join(', ')}`);
  describe(`${title}: ${suite.name}`, () => {
    const byGroup = new Map<string, ConformanceCaseOf<H>[]>();
    for (const c of cases) byGroup.set(c.group, [...(byGroup.get(c.group) ?? []), c]);
    for (const [group, inGroup] of byGroup) {
      describe(group, () => {
        for (const c of inGroup) {
          const reason = skip[c.id];
          if (reason !== undefined) {
            it.skip(`${c.id}: ${c.name} (skipped: ${reason})`, () => {});
          } else {
            it(`${c.id}: ${c.name}`, () => runConformanceCase(c, suite.makeHarness, suite.options));
          }
        }
      });
    }
    if (suite.additionalTests) describe('additional tests', () => suite.additionalTests?.(suite.makeHarness));
  });
}

/**
 * Registers the SnapshotCopier conformance suite with vitest: one `it` per case of
 * {@link SNAPSHOT_COPIER_CONFORMANCE_CASES}, each on a fresh harness. Cases named in
 * `options.skip` show as skipped with their reason; unknown ids there are an error.
 */
export function runSnapshotCopierConformance(suite: SnapshotCopierConformanceSuite): void {
  registerConformanceSuite<Awaited<ReturnType<ConformanceHarnessFactory>>>(
    'SnapshotCopier conformance',
    SNAPSHOT_COPIER_CONFORMANCE_CASES as readonly ConformanceCase[],
    suite,
  );
}
