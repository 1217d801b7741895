import type { SigV4ErrorFactory } from '../ec2/sigv4.js';
import { AwsJsonFrontEnd, type AwsJsonServiceSpec, AwsServiceError } from '../sim/aws-json-front-end.js';
import type { FaultInjector } from '../sim/faults.js';
import type { SimWorld } from '../sim/world.js';
import { EBS_DIRECT_OPERATIONS } from './operations.js';

/** The paths of the read APIs: `/snapshots/{id}/changedblocks` and `/snapshots/{id}/blocks`. */
const ROUTE_RE = /^\/snapshots\/([^/?]+)\/(changedblocks|blocks)$/;

/** Query members by wire name (the model's `locationName`s). */
const QUERY_MEMBERS: Readonly<Record<string, string>> = {
  firstSnapshotId: 'FirstSnapshotId',
  pageToken: 'NextToken',
  maxResults: 'MaxResults',
  startingBlockIndex: 'StartingBlockIndex',
};

/**
 * How the EBS direct APIs refuse a signature [assumption: the common errors of AWS
 * REST services, HTTP 403].
 */
const ebsSigV4Errors: SigV4ErrorFactory = (failure, message) => {
  const code = {
    missing: 'MissingAuthenticationTokenException',
    incomplete: 'IncompleteSignatureException',
    'unknown-key': 'UnrecognizedClientException',
    mismatch: 'InvalidSignatureException',
  }[failure];
  return new AwsServiceError(code, message, 403);
};

/**
 * The EBS direct APIs (2019-11-02) over REST-JSON: `GET` routes with members in the path
 * and query, SigV4 with signing name `ebs`, JSON replies, errors named by the
 * `x-amzn-errortype` header with `{Message, Reason}` bodies. Serves the read side used to
 * measure incremental copies: ListChangedBlocks and ListSnapshotBlocks.
 */
export const EBS_DIRECT_SERVICE: AwsJsonServiceSpec = {
  signingName: 'ebs',
  operations: EBS_DIRECT_OPERATIONS,
  sigV4Errors: ebsSigV4Errors,
  throttled: () =>
    new AwsServiceError('RequestThrottledException', 'The request was throttled.', 400, {
      Reason: 'ACCOUNT_THROTTLED',
    }),
  internal: (message) => new AwsServiceError('InternalServerException', message, 500),
  decode(request) {
    const q = request.url.indexOf('?');
    const path = q < 0 ? request.url : request.url.slice(0, q);
    const route = ROUTE_RE.exec(path);
    if (request.method.toUpperCase() !== 'GET' || !route) {
      throw new AwsServiceError(
        'UnknownOperationException',
        `No operation at ${request.method} ${path}.`,
        404,
      );
    }
    const snapshotId = decodeURIComponent(route[1]!);
    const input: Record<string, unknown> =
      route[2] === 'changedblocks' ? { SecondSnapshotId: snapshotId } : { SnapshotId: snapshotId };
    for (const [k, v] of new URLSearchParams(q < 0 ? '' : request.url.slice(q + 1))) {
      const member = QUERY_MEMBERS[k];
      if (member !== undefined && !(member === 'FirstSnapshotId' && route[2] !== 'changedblocks'))
        input[member] = v;
    }
    return { operation: route[2] === 'changedblocks' ? 'ListChangedBlocks' : 'ListSnapshotBlocks', input };
  },
  encodeSuccess: (output) => ({
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(output),
  }),
  encodeError: (e) => ({
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': e.code },
    body: JSON.stringify({ Message: e.message, ...e.fields }),
  }),
};

/** The EBS direct APIs front-end of a world. */
export function ebsDirectFrontEnd(
  world: SimWorld,
  faults: FaultInjector,
  refresh?: () => void,
): AwsJsonFrontEnd {
  return new AwsJsonFrontEnd(world, faults, EBS_DIRECT_SERVICE, refresh);
}
