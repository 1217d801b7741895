/**
 * `@snapcopy/testkit/conformance` — the SnapshotCopier conformance suite for vitest (a
 * peer dependency), its harness contract and the deliberately broken copiers that prove
 * the suite catches what it claims to.
 * @packageDocumentation
 */
export * from './broken-copiers.js';
export * from './index.js';
export { runSnapshotCopierConformance, type SnapshotCopierConformanceSuite } from './vitest-suite.js';
