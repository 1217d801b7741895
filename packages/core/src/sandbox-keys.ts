import { SnapcopyError } from './errors.js';

/**
 * How the access keys of snapcopy's sandbox begin (the testkit's simulated clouds): they
 * are good for nothing else, and seeing one bound for a real cloud means a shell or a
 * program lost its sandbox endpoint.
 */
export const SANDBOX_ACCESS_KEY_PREFIXES = Object.freeze(['AKIASANDBOX', 'LTAI5tSANDBOX']);

/** True when `accessKeyId` is one of the sandbox's keys. */
export function isSandboxAccessKey(accessKeyId: string | undefined): boolean {
  return accessKeyId !== undefined && SANDBOX_ACCESS_KEY_PREFIXES.some((p) => accessKeyId.startsWith(p));
}

/** The host of an endpoint given as a URL or as a bare `host[:port]`. */
function hostOf(endpoint: string): string {
  const text = endpoint.trim();
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`).hostname;
  } catch {
    return text;
  }
}

/** True for an address on this machine: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/**
 * Refuses to send a sandbox access key anywhere but this machine: before a request is
 * signed with it, `INVALID_REQUEST` when the endpoint is not on loopback (or is the real
 * cloud: no endpoint). Other keys pass untouched.
 */
export function refuseSandboxKeyOffLoopback(
  accessKeyId: string | undefined,
  endpoint: string | undefined,
  provider: string,
): void {
  if (!isSandboxAccessKey(accessKeyId)) return;
  if (endpoint !== undefined && isLoopbackHost(hostOf(endpoint))) return;
  const where =
    endpoint === undefined ? `${provider}'s real endpoint` : `${hostOf(endpoint)}, not this machine`;
  throw new SnapcopyError(
    'INVALID_REQUEST',
    `${provider}: refusing to send the sandbox's access key ${accessKeyId} to ${where}: sandbox keys work only against the sandbox on 127.0.0.1 (set its endpoint, e.g. eval "$(snapcopy sandbox --env)", or use your own credentials)`,
    { provider, retryable: false, providerCode: 'SandboxKeyOffLoopback' },
  );
}
