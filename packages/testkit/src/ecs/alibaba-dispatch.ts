import { ALIBABA_KMS_VERSION } from '../alibaba-kms/operations.js';
import { RoutingHandler } from '../sim/dispatch.js';
import type { SimHandler, SimHttpRequest } from '../sim/mount.js';

/** The Alibaba Cloud products one simulator server answers for. */
export type AlibabaSimProduct = 'ecs' | 'kms';

/**
 * Hosts the nock mounting of the Alibaba simulator intercepts: ECS's
 * (`ecs[-vpc].<region>.aliyuncs.com`, `ecs-cn-hangzhou.aliyuncs.com`, `ecs.aliyuncs.com`)
 * and KMS's (`kms[-vpc].<region>.aliyuncs.com`). Unanchored: nock tests it against
 * `METHOD proto://host/path`.
 */
export const ALIBABA_ENDPOINT_PATTERN = /https?:\/\/(?:ecs|kms)[a-z0-9-]*(\.[a-z0-9-]+)*\.aliyuncs\.com/;

/** Which product a request is for: KMS by its API version (`x-acs-version` or `Version`), else ECS. */
export function alibabaProductOf(request: SimHttpRequest): AlibabaSimProduct {
  const q = request.url.indexOf('?');
  const version =
    request.headers['x-acs-version'] ??
    new URLSearchParams(q < 0 ? '' : request.url.slice(q + 1)).get('Version');
  return version === ALIBABA_KMS_VERSION ? 'kms' : 'ecs';
}

/** One handler serving ECS and KMS, routed by {@link alibabaProductOf}. */
export function alibabaDispatcher(handlers: Readonly<Record<AlibabaSimProduct, SimHandler>>): SimHandler {
  return new RoutingHandler((request) => handlers[alibabaProductOf(request)]);
}
