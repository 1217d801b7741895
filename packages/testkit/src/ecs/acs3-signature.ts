import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { rfc3986 } from './rfc3986.js';

/** The parts of an `Authorization: ACS3-HMAC-SHA256 …` header. */
export interface Acs3Authorization {
  readonly accessKeyId: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** The one algorithm verified; SM3 and RSA variants are refused as unsupported. */
export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** Parses the header; undefined when it is not an ACS3-HMAC-SHA256 authorization. */
export function parseAcs3Authorization(header: string | undefined): Acs3Authorization | undefined {
  if (!header?.startsWith(`${ACS3_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(ACS3_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return { accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

/** What the ACS3 string to sign is computed from. */
export interface Acs3SignedRequest {
  readonly method: string;
  readonly path: string;
  /** Decoded query parameters. */
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Hex SHA-256 of a string. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The canonical request of the ACS3 scheme, re-encoded from decoded values. */
export function acs3CanonicalRequest(req: Acs3SignedRequest, signedHeaders: readonly string[]): string {
  const query = [...req.query]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
  const names = [...signedHeaders].map((h) => h.toLowerCase()).sort();
  const headers = names.map((h) => `${h}:${(req.headers[h] ?? '').trim()}\n`).join('');
  return [
    req.method.toUpperCase(),
    req.path || '/',
    query,
    headers,
    names.join(';'),
    sha256Hex(req.body),
  ].join('\n');
}

/** The hex signature a client with `secret` would have sent. */
export function acs3Signature(
  req: Acs3SignedRequest,
  signedHeaders: readonly string[],
  secret: string,
): string {
  const stringToSign = `${ACS3_ALGORITHM}\n${sha256Hex(acs3CanonicalRequest(req, signedHeaders))}`;
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');
}

/** Constant-time comparison of two signatures. */
export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
