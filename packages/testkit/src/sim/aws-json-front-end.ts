import { randomUUID } from 'node:crypto';
import { type SigV4ErrorFactory, SigV4Verifier } from '../ec2/sigv4.js';
import type { FaultInjector } from './faults.js';
import type { SimHandler, SimHttpRequest, SimHttpResponse } from './mount.js';
import type { SimWorld } from './world.js';
import { requestRecorder } from './request-log.js';

/** An error of an AWS JSON service: the exception name, its HTTP status and extra members. */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Members the error shape has besides the message (e.g. `Reason`). */
    readonly fields: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'AwsServiceError';
  }
}

/** Who calls, where and when: what every operation of an AWS JSON service gets. */
export interface AwsJsonContext {
  readonly world: SimWorld;
  readonly account: string;
  readonly region: string;
}

/** One operation: its decoded input to its output members. */
export type AwsJsonOperation = (
  ctx: AwsJsonContext,
  input: Readonly<Record<string, unknown>>,
) => Record<string, unknown>;

/** What differs between AWS JSON services: signing name, operations, wire encoding, error names. */
export interface AwsJsonServiceSpec {
  /** SigV4 signing name, and the name in the request log's `operation` prefix-free. */
  readonly signingName: string;
  readonly operations: Readonly<Record<string, AwsJsonOperation>>;
  readonly sigV4Errors: SigV4ErrorFactory;
  readonly throttled: () => AwsServiceError;
  readonly internal: (message: string) => AwsServiceError;
  /** The operation a request names and its input (throws an AwsServiceError when malformed). */
  decode(request: SimHttpRequest): { operation: string; input: Record<string, unknown> };
  /** Content type and body of a reply. */
  encodeSuccess(output: Record<string, unknown>): { headers: Record<string, string>; body: string };
  encodeError(error: AwsServiceError): { headers: Record<string, string>; body: string };
}

/**
 * The front-end of an AWS service speaking JSON over SigV4 (KMS's JSON 1.1, the EBS direct
 * APIs' REST-JSON): verifies the signature for the service's signing name, serves in the
 * region of the credential scope, applies injected faults, runs the operation and records
 * the request in the world's log, as the EC2 front-end does.
 */
export class AwsJsonFrontEnd implements SimHandler {
  readonly #verifier: SigV4Verifier;

  constructor(
    private readonly world: SimWorld,
    private readonly faults: FaultInjector,
    readonly spec: AwsJsonServiceSpec,
    /** Brings time-dependent state (copies in progress) up to the clock before each operation. */
    private readonly refresh: () => void = () => world.advance(),
  ) {
    this.#verifier = new SigV4Verifier((akid) => world.accountByAccessKey(akid)?.secretAccessKey, {
      service: spec.signingName,
      errors: spec.sigV4Errors,
    });
  }

  async handle(request: SimHttpRequest): Promise<SimHttpResponse> {
    const { world, spec } = this;
    const requestId = randomUUID();
    const at = world.clock.now();
    let operation = '';
    let params: Record<string, string> = {};
    let account: string | undefined;
    let region: string | undefined;
    let fault: { kind: string; latencyMs: number } | undefined;
    const log = requestRecorder(world.requests, { at, cloud: world.cloud, requestId }, () => ({
      operation,
      region,
      account,
      params,
      fault,
    }));
    const latency = () => (fault?.latencyMs ? { latencyMs: fault.latencyMs } : {});
    const reply = (status: number, encoded: { headers: Record<string, string>; body: string }) => ({
      status,
      headers: { ...encoded.headers, 'x-amzn-requestid': requestId, date: new Date().toUTCString() },
      body: encoded.body,
      ...latency(),
    });
    try {
      const decoded = spec.decode(request);
      operation = decoded.operation;
      params = flatParams(decoded.input);
      const identity = this.#verifier.verify(request);
      region = identity.region;
      account = world.accountByAccessKey(identity.accessKeyId)?.id;
      if (account === undefined || !world.regions.has(region)) {
        throw spec.sigV4Errors('unknown-key', `The security token is not valid in ${region}.`);
      }
      const run = spec.operations[operation];
      if (!run) throw new AwsServiceError('UnknownOperationException', `Unknown operation ${operation}`);
      this.refresh();
      fault = this.faults.pick(operation);
      if (fault?.kind === 'reset') {
        log(0);
        return { drop: true };
      }
      if (fault?.kind === 'throttle') throw spec.throttled();
      if (fault?.kind === 'server-error') throw spec.internal('An internal error occurred (injected).');
      const output = run({ world, account, region }, decoded.input);
      log(200);
      if (fault?.kind === 'drop-after') return { drop: true, ...latency() };
      return reply(200, spec.encodeSuccess(output));
    } catch (err) {
      // A bug in the simulator surfaces as the service's internal error, with the cause.
      const e =
        err instanceof AwsServiceError
          ? err
          : spec.internal(`An internal error occurred (simulator: ${String(err)})`);
      log(e.status, e.code);
      return reply(e.status, spec.encodeError(e));
    }
  }
}

/** Input members as the request log keeps them: strings, nested values as JSON. */
function flatParams(input: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v !== undefined) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}
