import { describe, expect, it } from 'vitest';
import { ERROR_CODES, is, isSnapcopyError, redactSecrets, SnapcopyError } from '../src/index.js';
import { registerSecret } from '../src/driver.js';

describe('SnapcopyError', () => {
  it('the closed set of codes is exactly the documented one', () => {
    expect([...ERROR_CODES]).toEqual([
      'INVALID_REQUEST',
      'UNSUPPORTED',
      'ENCRYPTION_RULE',
      'NOT_FOUND',
      'ACCESS_DENIED',
      'THROTTLED',
      'QUOTA_EXCEEDED',
      'PROVIDER_ERROR',
      'TIMEOUT',
      'CANCELLED',
    ]);
  });

  it('carries provider code, request id, retryable and cause', () => {
    const cause = new Error('sdk');
    const err = new SnapcopyError('THROTTLED', 'slow down', {
      providerCode: 'RequestLimitExceeded',
      requestId: 'r-1',
      cause,
      provider: 'aws',
    });
    expect(err.retryable).toBe(true);
    expect(err.providerCode).toBe('RequestLimitExceeded');
    expect(err.requestId).toBe('r-1');
    expect(err.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'SnapcopyError',
      code: 'THROTTLED',
      message: 'slow down',
      retryable: true,
      provider: 'aws',
      providerCode: 'RequestLimitExceeded',
      requestId: 'r-1',
    });
  });

  it.each(ERROR_CODES.map((c) => [c, c === 'THROTTLED']))(
    'default retryable for %s is %s',
    (code, retryable) => {
      expect(new SnapcopyError(code, 'x').retryable).toBe(retryable);
    },
  );

  it('the brand check works across package copies (a structurally foreign error is recognised by its symbol)', () => {
    const err = new SnapcopyError('NOT_FOUND', 'gone');
    const foreign = Object.assign(Object.create(Error.prototype), { code: 'NOT_FOUND' });
    Object.defineProperty(foreign, Symbol.for('snapcopy.error'), { value: true });
    expect(is(err, 'NOT_FOUND')).toBe(true);
    expect(is(err, 'TIMEOUT')).toBe(false);
    expect(isSnapcopyError(foreign)).toBe(true);
    expect(isSnapcopyError(new Error('plain'))).toBe(false);
    expect(isSnapcopyError({ code: 'NOT_FOUND' })).toBe(false);
  });
});

describe('redactSecrets', () => {
  it.each([
    [
      'presigned URL',
      'failed https://ec2.us-west-2.amazonaws.com/?Action=CopySnapshot&X-Amz-Signature=abcdef0123 here',
      'abcdef0123',
    ],
    [
      'PresignedUrl parameter',
      'body PresignedUrl=https%3A%2F%2Fec2%3FX-Amz-Signature%3Ddeadbeef',
      'deadbeef',
    ],
    [
      'authorization header',
      'authorization: AWS4-HMAC-SHA256 Credential=AKID/x, Signature=0123abcd',
      '0123abcd',
    ],
    ['secret in JSON', '{"secretAccessKey":"wJalrXUtnFEMI/K7MDENG"}', 'wJalrXUtnFEMI/K7MDENG'],
    ['alibaba secret', 'accessKeySecret=Sup3rS3cretValue', 'Sup3rS3cretValue'],
    ['RPC signature', 'Signature=g%2Bb7aIt6cMRSAxOSPVCtnwNdD94%3D&x=1', 'g%2Bb7aIt6cMRSAxOSPVCtnwNdD94%3D'],
    ['percent-encoded SecurityToken', 'url ?a=1&SecurityToken%3DCAIS%252Babc&b=2', 'CAIS%252Babc'],
    ['percent-encoded AccessKeySecret', 'AccessKeySecret%3DSup3rS3cretValue rest', 'Sup3rS3cretValue'],
    ['percent-encoded Signature', 'q=Signature%3Dg%252Bb7aIt6cMRSAx"', 'g%252Bb7aIt6cMRSAx'],
  ])('removes a %s', (_name, text, secret) => {
    expect(redactSecrets(text)).not.toContain(secret);
  });

  // RFC 3986 §3.2.1: the user information of a URL's authority; §3.2.1 also deprecates
  // `user:password` in it. Whatever follows `scheme://` up to `@` goes; the host stays.
  it.each([
    [
      'user and password',
      'GET http://admin:hunter2@127.0.0.1:4566/ failed',
      'GET http://[redacted]@127.0.0.1:4566/ failed',
    ],
    ['user only', 'endpoint https://token123@ec2.example.com', 'endpoint https://[redacted]@ec2.example.com'],
    ['percent-encoded password', 'https://u:p%40ss%3Aw0rd@host/x', 'https://[redacted]@host/x'],
    [
      'several URLs in one text',
      'a http://u:p@h1 b https://v:q@h2/',
      'a http://[redacted]@h1 b https://[redacted]@h2/',
    ],
    [
      'quoted, in a message',
      'endpoint "http://me:pw@localhost:8080" is bad',
      'endpoint "http://[redacted]@localhost:8080" is bad',
    ],
    ['any scheme', 'proxy socks5://me:pw@10.0.0.1:1080', 'proxy socks5://[redacted]@10.0.0.1:1080'],
    ['an @ in the path is not user info', 'http://host/users/@me', 'http://host/users/@me'],
    ['an @ in the query is not user info', 'http://host?mail=a@b.c', 'http://host?mail=a@b.c'],
    ['no scheme, no URL', 'mail me@example.com', 'mail me@example.com'],
  ])('URL credentials (%s)', (_name, text, redacted) => {
    expect(redactSecrets(text)).toBe(redacted);
  });

  it('an error message never carries URL credentials', () => {
    const err = new SnapcopyError('PROVIDER_ERROR', 'connect http://root:t0psecret@10.1.1.1/ refused');
    expect(err.message).toBe('connect http://[redacted]@10.1.1.1/ refused');
  });

  it('removes a registered literal secret wherever it appears, including in error messages', () => {
    registerSecret('sentinel-S3CR3T-value');
    expect(redactSecrets('oops sentinel-S3CR3T-value leaked')).toBe('oops [redacted] leaked');
    expect(new SnapcopyError('PROVIDER_ERROR', 'bad sentinel-S3CR3T-value').message).not.toContain(
      'sentinel-S3CR3T-value',
    );
  });

  it.each([
    ['percent-encoded once', (s: string) => encodeURIComponent(s)],
    ['percent-encoded twice', (s: string) => encodeURIComponent(encodeURIComponent(s))],
  ])('removes a registered secret that appears %s', (_name, encode) => {
    const secret = 'CAIS+tok/en=value';
    registerSecret(secret);
    const text = `body x=${encode(secret)}&y=1`;
    expect(text).not.toContain(secret);
    expect(redactSecrets(text)).toBe('body x=[redacted]&y=1');
  });
});
