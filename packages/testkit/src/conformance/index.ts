// The parts of the conformance kit that do not need vitest: importable from the main
// entry. The vitest registration lives in `@snapcopy/testkit/conformance`.
export {
  type ConformanceCase,
  type ConformanceContext,
  resolveConformanceOptions,
  type SnapshotCopierConformanceOptions,
} from './case.js';
export { SNAPSHOT_COPIER_CONFORMANCE_CASES } from './cases/index.js';
export type {
  Awaitable,
  ConformanceFaults,
  ConformanceFixtures,
  ConformanceHarness,
  ConformanceHarnessFactory,
  ConformanceLogLine,
  ConformanceOperation,
  ConformanceTime,
  ConformanceTruth,
  FixtureKey,
  GroupFixture,
  KeyFailureMode,
  RegionKeys,
  SourceFixture,
  SourceSnapshotSpec,
  TruthRequest,
  TruthSnapshot,
} from './harness.js';
export { captureLogger } from './log-capture.js';
export {
  type MountedSimulator,
  mountSimulator,
  SIMULATOR_OPERATIONS,
  SIMULATOR_REQUEST_KINDS,
  type SimulatorMounting,
  type SimWorldTruthOptions,
  simulatorFaults,
  simWorldTruth,
  truthOfSimSnapshot,
} from './simulator-harness.js';
export {
  assertNoSecretLeak,
  type ConformanceCaseOutcome,
  runConformanceCase,
  runConformanceCases,
} from './run-case.js';

// The image suite: the same machinery for ImageCopier.
export {
  type ImageConformanceCase,
  type ImageCopierConformanceOptions,
  imageRunnerOptions,
} from './image-case.js';
export { IMAGE_COPIER_CONFORMANCE_CASES } from './image-cases/index.js';
export type {
  ImageConformanceFixtures,
  ImageConformanceHarness,
  ImageConformanceHarnessFactory,
  ImageConformanceTruth,
  SourceDiskSpec,
  SourceImageFixture,
  SourceImageSpec,
  TruthImage,
} from './image-harness.js';
export type { RequestLogHolder } from './support.js';
export type { SecretHolder } from './run-case.js';
export {
  EC2_IMAGE_OPERATIONS,
  ECS_IMAGE_OPERATIONS,
  ec2ImageTruth,
  ecsImageTruth,
} from './image-simulator-harness.js';
