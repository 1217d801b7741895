/**
 * @snapcopy/testkit — wire-level EC2 and ECS simulators and the SnapshotCopier
 * conformance suite.
 * @packageDocumentation
 */
export * from './alibaba-kms/index.js';
export * from './ebs-direct/index.js';
export * from './ec2/index.js';
export * from './ecs/index.js';
export * from './kms/index.js';
export * from './sandbox/index.js';
export * from './sim/index.js';
// The suite's vitest registration lives in the `./conformance` subpath: this entry must not load vitest.
export * from './conformance/index.js';
export * from './reference/index.js';
