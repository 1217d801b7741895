export {
  processSandboxIo,
  READY_IPC_ENV,
  reportStartFailure,
  runSandboxCommand,
  SANDBOX_BIN,
  type SandboxCommandIo,
  type SandboxCommandOptions,
  type SandboxLine,
  SandboxUsageError,
  sandboxBinArgs,
} from './command.js';
export {
  answerControl,
  CONTROL_ROUTES,
  type ControlServer,
  type ControlTarget,
  isLoopbackAddress,
  isLoopbackHost,
  startControlServer,
} from './control-server.js';
export { DEFAULT_SANDBOX_SEED } from './default-seed.js';
export {
  type SandboxEnvInfo,
  sandboxEnvironment,
  shellExports,
  shellQuote,
  writeFileAtomically,
} from './env-exports.js';
export {
  FAULT_SPEC_SYNTAX,
  FaultSpecError,
  faultRuleOfSeed,
  parseFaultSpec,
  type SandboxCloud,
  type SandboxFault,
} from './fault-spec.js';
export {
  type SandboxSeed,
  type SandboxSeedFault,
  type SandboxSeedInput,
  SandboxSeedSchema,
  sandboxSeedJsonSchema,
} from './seed.js';
export {
  type Sandbox,
  type SandboxCloudInfo,
  type SandboxOptions,
  seedEc2,
  seedEcs,
  startSandbox,
} from './start.js';
