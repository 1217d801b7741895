import { createHmac } from 'node:crypto';
import { rfc3986 } from './rfc3986.js';

/**
 * The legacy RPC signature (HMAC-SHA1, `SignatureVersion=1.0`), sent by the SDK with
 * `signatureAlgorithm: 'v2'` and by older clients: every parameter but `Signature`,
 * sorted, encoded, and signed with `secret + "&"`.
 */
export function rpcV1Signature(
  method: string,
  params: ReadonlyArray<readonly [string, string]>,
  secret: string,
): string {
  const canonical = params
    .filter(([k]) => k !== 'Signature')
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const stringToSign = `${method.toUpperCase()}&${rfc3986('/')}&${rfc3986(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64');
}
