import { invalidRequest, redactSecrets } from './errors.js';

/** An endpoint a caller gave, read and checked. */
export interface EndpointAddress {
  readonly protocol: 'http' | 'https';
  /** `host[:port]` (IPv6 hosts in brackets). */
  readonly host: string;
  /** The path, `/` when none was given. */
  readonly path: string;
  /** False for a bare `host[:port]` (the caller named no scheme). */
  readonly schemeGiven: boolean;
}

/** Options of {@link parseEndpoint}. */
export interface ParseEndpointOptions {
  /** What names the value in a message: `endpoint`, `--endpoint`, `SNAPCOPY_AWS_ENDPOINT`. */
  readonly path: string;
  readonly provider?: string;
  /** Accept `host[:port]` without a scheme (as `https`). Default false. */
  readonly allowBareHost?: boolean;
}

const BARE_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
// User info before the host, with or without a scheme: `user:password@`, `user@`.
const USER_INFO = /^([a-z][a-z0-9+.-]*:\/\/)?[^/?#@]*@/i;

/**
 * Reads an API endpoint given by a caller (an option, a flag, an environment variable).
 * Refuses, as `INVALID_REQUEST` naming `options.path`: anything but an `http`/`https`
 * URL (or, when allowed, a bare `host[:port]`), whitespace or control characters, a query
 * or fragment, and credentials in the URL (`user:password@`), which would be sent in the
 * clear and echoed in logs; credentials belong in the provider's credential settings.
 * The value is echoed in the message with any credentials redacted.
 */
export function parseEndpoint(value: unknown, options: ParseEndpointOptions): EndpointAddress {
  const refuse = (message: string) => invalidRequest([{ path: options.path, message }], options.provider);
  if (typeof value !== 'string' || value.trim() === '') {
    throw refuse('must be an http(s) URL such as https://ec2.example.com or http://127.0.0.1:4566');
  }
  const text = value.trim();
  if (USER_INFO.test(text)) {
    const shown = `"${redactSecrets(text.replace(USER_INFO, '$1[redacted]@'))}"`;
    throw refuse(
      `${shown} carries credentials (user:password@); give credentials through the provider's credential settings, never in the URL`,
    );
  }
  const shown = `"${redactSecrets(text)}"`;
  if (/[\s\p{Cc}\p{Cf}]/u.test(text)) throw refuse(`${shown} contains spaces or control characters`);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    if (options.allowBareHost && BARE_HOST.test(text)) {
      return { protocol: 'https', host: text, path: '/', schemeGiven: false };
    }
    throw refuse(
      `${shown} is not an http(s) URL${options.allowBareHost ? ' or host[:port]' : ''} (e.g. http://127.0.0.1:4566)`,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse(`${shown} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw refuse(`${shown} must use http or https, not ${url.protocol.slice(0, -1)}`);
  }
  if (url.hostname === '') throw refuse(`${shown} has no host`);
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#')) {
    throw refuse(`${shown} must not have a query or fragment`);
  }
  return {
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    host: url.host,
    path: url.pathname || '/',
    schemeGiven: true,
  };
}
