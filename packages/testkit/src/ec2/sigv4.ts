import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { SimHttpRequest } from '../sim/mount.js';
import { Ec2ApiError } from './errors.js';

/** Who signed a request, and for which region. */
export interface SigV4Identity {
  readonly accessKeyId: string;
  /** Region of the credential scope: the region the client was configured for. */
  readonly region: string;
}

interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const AUTH_RE =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

/** Why a signature was refused, whatever the service calls it. */
export type SigV4Failure = 'missing' | 'incomplete' | 'unknown-key' | 'mismatch';

/** Builds the service's own error for a refused signature. */
export type SigV4ErrorFactory = (failure: SigV4Failure, message: string) => Error;

/** How EC2 refuses a signature: its Query API error codes and statuses. */
export const ec2SigV4Errors: SigV4ErrorFactory = (failure, message) => {
  switch (failure) {
    case 'missing':
      return new Ec2ApiError('MissingAuthenticationToken', message, 401);
    case 'incomplete':
      return new Ec2ApiError('IncompleteSignature', message, 400);
    case 'unknown-key':
      return new Ec2ApiError('AuthFailure', message, 401);
    case 'mismatch':
      return new Ec2ApiError('SignatureDoesNotMatch', message, 403);
  }
};

/** The service a request's credential scope names (`ec2`, `kms`, `ebs`…), if it is signed. */
export function sigV4ScopeService(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : AUTH_RE.exec(authorization)?.[4];
}

function parseAuthorization(header: string | undefined, error: SigV4ErrorFactory): ParsedAuthorization {
  if (header === undefined || header === '') {
    throw error('missing', 'Request is missing Authentication Token');
  }
  const m = AUTH_RE.exec(header);
  if (!m) {
    throw error(
      'incomplete',
      'Authorization header requires Credential, SignedHeaders and Signature (AWS4-HMAC-SHA256).',
    );
  }
  return {
    accessKeyId: m[1]!,
    date: m[2]!,
    region: m[3]!,
    service: m[4]!,
    signedHeaders: m[5]!.split(';'),
    signature: m[6]!,
  };
}

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it (unreserved characters stay, everything else %XX). */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const pairs = [...new URLSearchParams(url.slice(q + 1))].map(
    ([k, v]) => [uriEncode(k), uriEncode(v)] as const,
  );
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/**
 * The canonical URI of every service but S3: the path as sent (each segment already
 * encoded once by the client) encoded once more, segment by segment.
 */
function canonicalPath(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path === '' ? '/' : path.split('/').map(uriEncode).join('/');
}

/** Settings of a {@link SigV4Verifier} for a service other than EC2. */
export interface SigV4VerifierOptions {
  /** The signing name the credential scope must carry. Default `ec2`. */
  readonly service?: string;
  /** The service's errors. Default {@link ec2SigV4Errors}. */
  readonly errors?: SigV4ErrorFactory;
}

/**
 * Verifies an AWS Signature Version 4 `Authorization` header the way the service does: for
 * EC2, an unknown access key is `AuthFailure` (401), a signature made with another secret
 * `SignatureDoesNotMatch` (403); other services name these their own way (see
 * {@link SigV4VerifierOptions}). The request time is not checked against the clock: a
 * simulator's clock is virtual while the SDK signs with real time.
 */
export class SigV4Verifier {
  readonly #keys = new Map<string, Buffer>();
  readonly #service: string;
  readonly #error: SigV4ErrorFactory;

  constructor(
    private readonly secretFor: (accessKeyId: string) => string | undefined,
    options: SigV4VerifierOptions = {},
  ) {
    this.#service = options.service ?? 'ec2';
    this.#error = options.errors ?? ec2SigV4Errors;
  }

  verify(request: SimHttpRequest): SigV4Identity {
    const auth = parseAuthorization(request.headers.authorization, this.#error);
    const secret = this.secretFor(auth.accessKeyId);
    if (secret === undefined) {
      throw this.#error('unknown-key', 'AWS was not able to validate the provided access credentials');
    }
    if (auth.service !== this.#service) {
      throw this.#error('mismatch', `Credential should be scoped to correct service: '${this.#service}'.`);
    }
    const amzDate = request.headers['x-amz-date'] ?? '';
    if (!amzDate.startsWith(auth.date)) {
      throw this.#error(
        'mismatch',
        'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.',
      );
    }
    const headerLines = auth.signedHeaders.map((name) => {
      const value = request.headers[name];
      if (value === undefined) {
        throw this.#error('mismatch', `Signed header '${name}' is missing.`);
      }
      return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
    });
    const canonicalRequest = [
      request.method.toUpperCase(),
      canonicalPath(request.url),
      canonicalQuery(request.url),
      headerLines.join(''),
      auth.signedHeaders.join(';'),
      sha256Hex(request.body),
    ].join('\n');
    const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const expected = hmac(this.#signingKey(secret, auth.date, auth.region, auth.service), stringToSign);
    const given = Buffer.from(auth.signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw this.#error(
        'mismatch',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
    return { accessKeyId: auth.accessKeyId, region: auth.region };
  }

  #signingKey(secret: string, date: string, region: string, service: string): Buffer {
    const id = `${secret}\n${date}\n${region}\n${service}`;
    let key = this.#keys.get(id);
    if (!key) {
      key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
      if (this.#keys.size > 1000) this.#keys.clear();
      this.#keys.set(id, key);
    }
    return key;
  }
}
