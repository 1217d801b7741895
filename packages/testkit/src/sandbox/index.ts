export { DEFAULT_SANDBOX_SEED } from './default-seed.js';
export { type SandboxSeed, type SandboxSeedInput, SandboxSeedSchema, sandboxSeedJsonSchema } from './seed.js';
export {
  type Sandbox,
  type SandboxCloudInfo,
  type SandboxOptions,
  seedEc2,
  seedEcs,
  startSandbox,
} from './start.js';
