import { type ImageCopierConformanceOptions, imageRunnerOptions } from './image-case.js';
import { IMAGE_COPIER_CONFORMANCE_CASES } from './image-cases/index.js';
import type { ImageConformanceHarnessFactory } from './image-harness.js';
import { registerConformanceSuite } from './vitest-suite.js';

/** What {@link runImageCopierConformance} takes. */
export interface ImageCopierConformanceSuite {
  /** Shown in the describe block, e.g. `aws (EC2 simulator via nock)`. */
  readonly name: string;
  /** Builds a fresh, isolated image harness; called once per test. */
  readonly makeHarness: ImageConformanceHarnessFactory;
  readonly options?: ImageCopierConformanceOptions;
  /** More tests of your own, run inside the same describe block with the same factory. */
  readonly additionalTests?: (makeHarness: ImageConformanceHarnessFactory) => void;
}

/**
 * Registers the ImageCopier conformance suite with vitest: one `it` per case of
 * {@link IMAGE_COPIER_CONFORMANCE_CASES}, each on a fresh harness, asserting false flags
 * (zero requests where the request alone shows them) rather than skipping them.
 */
export function runImageCopierConformance(suite: ImageCopierConformanceSuite): void {
  registerConformanceSuite('ImageCopier conformance', IMAGE_COPIER_CONFORMANCE_CASES, {
    name: suite.name,
    makeHarness: suite.makeHarness,
    options: imageRunnerOptions(suite.options ?? {}),
    ...(suite.additionalTests ? { additionalTests: suite.additionalTests } : {}),
  });
}
