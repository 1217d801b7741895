/**
 * `@snapcopy/testkit/conformance` — the SnapshotCopier and ImageCopier conformance suites
 * for vitest (a peer dependency), their harness contracts and the deliberately broken
 * copiers that prove the suites catch what they claim to.
 * @packageDocumentation
 */
export * from './broken-copiers.js';
export * from './broken-image-copiers.js';
export * from './index.js';
export { type ImageCopierConformanceSuite, runImageCopierConformance } from './image-vitest-suite.js';
export {
  registerConformanceSuite,
  runSnapshotCopierConformance,
  type SnapshotCopierConformanceSuite,
} from './vitest-suite.js';
