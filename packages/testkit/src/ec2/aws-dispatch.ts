import { KMS_TARGET_PREFIX } from '../kms/front-end.js';
import { RoutingHandler } from '../sim/dispatch.js';
import type { SimHandler, SimHttpRequest } from '../sim/mount.js';
import { sigV4ScopeService } from './sigv4.js';

/** The AWS services one simulator server answers for. */
export type AwsSimService = 'ec2' | 'kms' | 'ebs';

/**
 * Every `https://{ec2,kms,ebs}[-fips].<region>.amazonaws.com[.cn]` endpoint (the nock
 * mounting of the AWS simulator).
 */
export const AWS_ENDPOINT_PATTERN =
  /(?:^|\/\/|\s)(?:ec2|kms|ebs)(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?(?::443)?(?:\/|$)/;

/**
 * Which service a request is for: KMS by its `X-Amz-Target` (`TrentService.…`), else the
 * signing name in the SigV4 credential scope (`kms`, `ebs`), else the EBS direct APIs'
 * `/snapshots/…` paths; everything else is EC2's Query API.
 */
export function awsServiceOf(request: SimHttpRequest): AwsSimService {
  if (request.headers['x-amz-target']?.startsWith(KMS_TARGET_PREFIX)) return 'kms';
  const scoped = sigV4ScopeService(request.headers.authorization);
  if (scoped === 'kms' || scoped === 'ebs') return scoped;
  if (request.url.startsWith('/snapshots/')) return 'ebs';
  return 'ec2';
}

/** One handler serving EC2, KMS and the EBS direct APIs, routed by {@link awsServiceOf}. */
export function awsDispatcher(handlers: Readonly<Record<AwsSimService, SimHandler>>): SimHandler {
  return new RoutingHandler((request) => handlers[awsServiceOf(request)]);
}
