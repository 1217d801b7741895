import type { FaultInjector } from '../sim/faults.js';
import { AwsJsonFrontEnd, type AwsJsonServiceSpec, AwsServiceError } from '../sim/aws-json-front-end.js';
import type { SimWorld } from '../sim/world.js';
import { kmsSigV4Errors } from './errors.js';
import { KMS_OPERATIONS } from './operations.js';

/** The prefix of KMS's `X-Amz-Target` header. */
export const KMS_TARGET_PREFIX = 'TrentService.';

/**
 * AWS KMS (API 2014-11-01) over the JSON 1.1 protocol: `POST /` with the operation in
 * `X-Amz-Target: TrentService.<Operation>`, a JSON body, SigV4 with signing name `kms`;
 * errors as `{"__type", "message"}`. Serves DescribeKey and ListAliases from the world's
 * key table.
 */
export const KMS_SERVICE: AwsJsonServiceSpec = {
  signingName: 'kms',
  operations: KMS_OPERATIONS,
  sigV4Errors: kmsSigV4Errors,
  throttled: () => new AwsServiceError('ThrottlingException', 'Rate exceeded'),
  internal: (message) => new AwsServiceError('KMSInternalException', message, 500),
  decode(request) {
    const target = request.headers['x-amz-target'] ?? '';
    if (request.method.toUpperCase() !== 'POST' || !target.startsWith(KMS_TARGET_PREFIX)) {
      throw new AwsServiceError('UnknownOperationException', `Unknown operation ${target}`);
    }
    let input: unknown = {};
    if (request.body.trim() !== '') {
      try {
        input = JSON.parse(request.body);
      } catch {
        throw new AwsServiceError('SerializationException', 'The request body is not valid JSON.');
      }
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new AwsServiceError('SerializationException', 'The request body must be a JSON object.');
    }
    return { operation: target.slice(KMS_TARGET_PREFIX.length), input: input as Record<string, unknown> };
  },
  encodeSuccess: (output) => ({
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(output),
  }),
  encodeError: (e) => ({
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ __type: e.code, message: e.message, ...e.fields }),
  }),
};

/** The KMS front-end of a world (mount it, or let the AWS dispatcher route to it). */
export function kmsFrontEnd(world: SimWorld, faults: FaultInjector, refresh?: () => void): AwsJsonFrontEnd {
  return new AwsJsonFrontEnd(world, faults, KMS_SERVICE, refresh);
}
