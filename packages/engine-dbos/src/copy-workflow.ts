import { DBOS } from '@dbos-inc/dbos-sdk';
import {
  CopySteps,
  type CopyWorkflowInput,
  STATUS_TOPIC,
  type TrackerMessage,
  type WorkflowState,
} from './copy-steps.js';
import type { CopyResultJson } from './events.js';
import { COPY_WORKFLOW } from './names.js';
import { engineRuntime } from './runtime.js';

/** A bound on the steps of one workflow (a tracked copy takes a few per status delivered). */
const MAX_TURNS = 100_000;

/**
 * One copy, as a DBOS workflow whose id is the copy's client token: the lifecycle's steps
 * (plan; copy with the token; track until a terminal state; finalize), each a recorded
 * step, with durable sleeps between retries and the tracker's messages while it waits.
 * Its queue slot (the partition's concurrency) is held from dequeue to its end, as the
 * provider counts the copy from its start to its end.
 */
async function copyWorkflow(input: CopyWorkflowInput): Promise<CopyResultJson> {
  const rt = engineRuntime();
  const steps = new CopySteps(rt);
  const id = DBOS.workflowID!;
  let state: WorkflowState = await rt.gate.step('start', () => steps.start(id, input));
  for (let turn = 0; turn < MAX_TURNS; turn++) {
    const next = state.next;
    const current = state;
    switch (next.kind) {
      case 'done':
        return next.result;
      case 'wait': {
        const message = await DBOS.recv<TrackerMessage>(STATUS_TOPIC, {
          timeoutSeconds: rt.wallMs(rt.settings.statusTimeoutMs) / 1000,
        });
        state = await rt.gate.step('judge', () => steps.judge(id, input, current, message));
        break;
      }
      case 'track':
        if (next.delayMs > 0) await DBOS.sleep(rt.wallMs(next.delayMs));
        state = await rt.gate.step('track', () => steps.track(id, input, current, next.fromStart));
        break;
      default: {
        if (next.delayMs > 0) await DBOS.sleep(rt.wallMs(next.delayMs));
        const kind = next.kind;
        state = await rt.gate.step(kind, () => steps[kind](id, input, current));
      }
    }
  }
  throw new Error(`copy workflow ${id}: more than ${MAX_TURNS} steps`);
}

let registered: ((input: CopyWorkflowInput) => Promise<CopyResultJson>) | undefined;

/** Registers the copy workflow with DBOS (once per process, before launch). */
export function registerCopyWorkflow(): (input: CopyWorkflowInput) => Promise<CopyResultJson> {
  registered ??= DBOS.registerWorkflow(copyWorkflow, { name: COPY_WORKFLOW, maxRecoveryAttempts: 1_000 });
  return registered;
}
