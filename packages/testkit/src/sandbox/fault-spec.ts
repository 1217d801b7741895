import type { FaultKind, FaultRule } from '../sim/faults.js';
import type { SandboxSeedFault } from './seed.js';

/** Which simulated cloud a fault applies to. */
export type SandboxCloud = 'aws' | 'alibaba';

/** A fault rule for one or both clouds. */
export interface SandboxFault {
  readonly clouds: readonly SandboxCloud[];
  readonly rule: FaultRule;
}

/** The syntax of `--fault`, for help texts and errors. */
export const FAULT_SPEC_SYNTAX = 'CLOUD:OPERATION:KIND[:WHEN]';

/** A bad `--fault` value. */
export class FaultSpecError extends Error {
  constructor(spec: string, why: string) {
    super(`--fault "${spec}": ${why} (syntax ${FAULT_SPEC_SYNTAX}, e.g. aws:CopySnapshot:throttle:3)`);
    this.name = 'FaultSpecError';
  }
}

const KINDS: Readonly<Record<string, FaultKind>> = {
  throttle: 'throttle',
  '5xx': 'server-error',
  'server-error': 'server-error',
  'drop-after': 'drop-after',
  reset: 'reset',
  hang: 'hang',
  latency: 'latency',
};

/**
 * Parses one `--fault` value, `CLOUD:OPERATION:KIND[:WHEN]`:
 * - CLOUD: `aws`, `alibaba` or `all`;
 * - OPERATION: an API action name (`CopySnapshot`, …) or `*`;
 * - KIND: `throttle`, `5xx` (or `server-error`), `drop-after`, `reset`, `hang`, `latency=MS`;
 * - WHEN: `N` (the next N matching requests, default 1), `always`, or `p=P` (each with
 *   probability 0 < P ≤ 1, drawn from the seeded generator).
 */
export function parseFaultSpec(spec: string): SandboxFault {
  const parts = spec.split(':');
  if (parts.length < 3 || parts.length > 4) throw new FaultSpecError(spec, 'expected 3 or 4 fields');
  const [cloud, operation, kindText, when] = parts as [string, string, string, string | undefined];
  const clouds: SandboxCloud[] =
    cloud === 'all' ? ['aws', 'alibaba'] : cloud === 'aws' || cloud === 'alibaba' ? [cloud] : [];
  if (clouds.length === 0) throw new FaultSpecError(spec, `unknown cloud "${cloud}" (aws, alibaba or all)`);
  if (operation !== '*' && !/^[A-Z][A-Za-z0-9]*$/.test(operation)) {
    throw new FaultSpecError(spec, `"${operation}" is not an API action name or *`);
  }
  const [kindName, kindArg] = kindText.split('=', 2) as [string, string | undefined];
  const kind = KINDS[kindName];
  if (!kind) {
    throw new FaultSpecError(
      spec,
      `unknown kind "${kindName}" (throttle, 5xx, drop-after, reset, hang, latency=MS)`,
    );
  }
  let latencyMs: number | undefined;
  if (kind === 'latency') {
    if (kindArg === undefined || !/^\d+$/.test(kindArg)) throw new FaultSpecError(spec, 'latency needs =MS');
    latencyMs = Number(kindArg);
  } else if (kindArg !== undefined) {
    throw new FaultSpecError(spec, `${kindName} takes no value`);
  }
  let times: number | undefined = 1;
  let probability: number | undefined;
  if (when === 'always') times = Number.POSITIVE_INFINITY;
  else if (when?.startsWith('p=')) {
    probability = Number(when.slice(2));
    times = undefined;
    if (!(probability > 0 && probability <= 1)) {
      throw new FaultSpecError(spec, 'p= takes a probability above 0 and at most 1');
    }
  } else if (when !== undefined) {
    if (!/^[1-9]\d*$/.test(when)) throw new FaultSpecError(spec, `"${when}" is not a count, always or p=P`);
    times = Number(when);
  }
  return {
    clouds,
    rule: {
      operation,
      kind,
      ...(times !== undefined ? { times } : {}),
      ...(probability !== undefined ? { probability } : {}),
      ...(latencyMs !== undefined ? { latencyMs } : {}),
    },
  };
}

/** A seed's fault as a {@link FaultRule}. */
export function faultRuleOfSeed(f: SandboxSeedFault): FaultRule {
  const times = f.times === 'always' ? Number.POSITIVE_INFINITY : f.times;
  return {
    operation: f.operation,
    kind: f.kind,
    ...(times !== undefined ? { times } : {}),
    ...(f.probability !== undefined ? { probability: f.probability } : {}),
    ...(f.latencyMs !== undefined ? { latencyMs: f.latencyMs } : {}),
  };
}
