// Faults decided per request by what the request is (a copy, a lookup of a client token,
// a status read), not only by its operation name: a test can fail every token lookup
// after a copy call while plans and status reads go through. The simulator's own fault
// injector applies the fault, so the cloud answers it as it answers any injected fault.
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import type { FaultInjector, FaultKind, SimHandler, SimHttpRequest, SimNockMount } from '@snapcopy/testkit';

/** What a request to either simulator is, as far as these tests care. */
export type RequestKind = 'copy' | 'lookup' | 'describe' | 'other';

function actionOf(req: SimHttpRequest): string {
  const q = req.url.indexOf('?');
  return (
    req.headers['x-acs-action'] ??
    new URLSearchParams(req.body).get('Action') ??
    new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1)).get('Action') ??
    ''
  );
}

/** `lookup`: a DescribeSnapshots filtered by snapcopy's client-token tag; `describe`: any other. */
export function requestKind(req: SimHttpRequest): RequestKind {
  const action = actionOf(req);
  if (action === 'CopySnapshot') return 'copy';
  if (action !== 'DescribeSnapshots') return 'other';
  const text = decodeURIComponent(`${req.url}&${req.body}`.replace(/\+/g, ' '));
  return text.includes(LINEAGE_TAGS.clientToken) ? 'lookup' : 'describe';
}

/**
 * Mounts a simulator's handler through nock with `script` deciding a fault for each
 * request before the simulator serves it. Not for use together with random chaos rules:
 * the scripted fault is added behind them.
 */
export function mountScripted(
  sim: {
    readonly handler: SimHandler;
    readonly faults: FaultInjector;
    readonly world: { readonly cloud: string };
    mountNock(through: SimHandler): SimNockMount;
  },
  script: (kind: RequestKind, req: SimHttpRequest) => FaultKind | undefined,
): SimNockMount {
  const handler: SimHandler = {
    handle: (req) => {
      const fault = script(requestKind(req), req);
      if (fault) sim.faults.add({ operation: '*', kind: fault, times: 1 });
      return sim.handler.handle(req);
    },
  };
  return sim.mountNock(handler);
}
