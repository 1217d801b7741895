export { FaultInjector, type FaultKind, type FaultRule, GARBAGE_REPLY, TokenBucket } from './faults.js';
export { BillingLedger, type LedgerEntry } from './ledger.js';
export {
  mountNock,
  type SimHandler,
  type SimHttpRequest,
  type SimHttpResponse,
  type SimNockMount,
  type SimServer,
  startSimServer,
} from './mount.js';
export { RequestLog, type RequestLogEntry } from './request-log.js';
export { ScaledClock } from './scaled-clock.js';
export { VirtualClock } from './virtual-clock.js';
export {
  hexId,
  type SimAccount,
  type SimCopyTask,
  type SimKey,
  type SimSnapshot,
  type SimVolume,
  SimWorld,
  type SimWorldOptions,
  type StartCopyInput,
} from './world.js';
