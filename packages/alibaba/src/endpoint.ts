import { redactSecrets } from '@snapcopy/core';
import { invalidRequest, parseEndpoint } from '@snapcopy/core/driver';

/** Where the ECS client of one region sends its requests. */
export interface AlibabaEndpoint {
  /** `host[:port]`, no scheme: the form the Alibaba SDK takes. */
  readonly host: string;
  readonly protocol: 'http' | 'https';
}

/**
 * Reads an endpoint given as `http://127.0.0.1:8080`, `https://ecs.example.com` or a bare
 * `host:port`. The Alibaba SDK wants the host without a scheme and the scheme as a
 * separate `protocol` (the SDK takes no scheme in `endpoint`); a URL's scheme wins over `protocol`.
 *
 * @throws SnapcopyError `INVALID_REQUEST` (path `endpoint`) for anything else: a path, a
 * query, spaces, another scheme, or credentials in the URL (never echoed).
 */
export function parseAlibabaEndpoint(endpoint: string, protocol?: 'http' | 'https'): AlibabaEndpoint {
  const read = parseEndpoint(endpoint, { path: 'endpoint', provider: 'alibaba', allowBareHost: true });
  if (read.path !== '/') {
    throw invalidRequest(
      [
        {
          path: 'endpoint',
          message: `"${redactSecrets(endpoint.trim())}" has a path; ECS endpoints are host[:port] or http(s)://host[:port]`,
        },
      ],
      'alibaba',
    );
  }
  return { host: read.host, protocol: read.schemeGiven ? read.protocol : (protocol ?? 'https') };
}
