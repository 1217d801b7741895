/** Where the ECS client of one region sends its requests. */
export interface AlibabaEndpoint {
  /** `host[:port]`, no scheme: the form the Alibaba SDK takes. */
  readonly host: string;
  readonly protocol: 'http' | 'https';
}

const SCHEME = /^(https?):\/\/([^/?#]+)\/?$/i;
const HOST = /^[^\s/?#:]+(?::\d{1,5})?$/;

/**
 * Reads an endpoint given as `http://127.0.0.1:8080`, `https://ecs.example.com` or a bare
 * `host:port`. The Alibaba SDK wants the host without a scheme and the scheme as a
 * separate `protocol` (the SDK takes no scheme in `endpoint`); a URL's scheme wins over `protocol`.
 *
 * @throws TypeError for anything else (a path, a query, spaces).
 */
export function parseAlibabaEndpoint(endpoint: string, protocol?: 'http' | 'https'): AlibabaEndpoint {
  const trimmed = endpoint.trim();
  const url = SCHEME.exec(trimmed);
  if (url) return { host: url[2]!, protocol: url[1]!.toLowerCase() as 'http' | 'https' };
  if (!HOST.test(trimmed)) {
    throw new TypeError(
      `endpoint "${endpoint}" must be host[:port] or http(s)://host[:port], without a path or query`,
    );
  }
  return { host: trimmed, protocol: protocol ?? 'https' };
}
