import type { SimHandler, SimHttpRequest, SimHttpResponse } from './mount.js';

/**
 * One handler in front of several front-ends: `route` picks the one that serves each
 * request, so one server (or one nock mounting) speaks every protocol of a cloud.
 */
export class RoutingHandler implements SimHandler {
  constructor(private readonly route: (request: SimHttpRequest) => SimHandler) {}

  handle(request: SimHttpRequest): Promise<SimHttpResponse> {
    return this.route(request).handle(request);
  }
}
