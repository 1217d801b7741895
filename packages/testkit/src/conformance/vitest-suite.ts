import { describe, it } from 'vitest';
import type { ConformanceCase, SnapshotCopierConformanceOptions } from './case.js';
import { SNAPSHOT_COPIER_CONFORMANCE_CASES } from './cases/index.js';
import type { ConformanceHarnessFactory } from './harness.js';
import { runConformanceCase } from './run-case.js';

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
 * Registers the SnapshotCopier conformance suite with vitest: one `it` per case of
 * {@link SNAPSHOT_COPIER_CONFORMANCE_CASES}, each on a fresh harness. Cases named in
 * `options.skip` show as skipped with their reason; unknown ids there are an error.
 */
export function runSnapshotCopierConformance(suite: SnapshotCopierConformanceSuite): void {
  const skip = suite.options.skip ?? {};
  const known = new Set(SNAPSHOT_COPIER_CONFORMANCE_CASES.map((c) => c.id));
  const unknown = Object.keys(skip).filter((id) => !known.has(id));
  if (unknown.length > 0) throw new TypeError(`options.skip names unknown cases: ${unknown.join(', ')}`);
  describe(`SnapshotCopier conformance: ${suite.name}`, () => {
    const byGroup = new Map<string, ConformanceCase[]>();
    for (const c of SNAPSHOT_COPIER_CONFORMANCE_CASES)
      byGroup.set(c.group, [...(byGroup.get(c.group) ?? []), c]);
    for (const [group, cases] of byGroup) {
      describe(group, () => {
        for (const c of cases) {
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
