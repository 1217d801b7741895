import { describe, expect, it } from 'vitest';
import { is, type SnapcopyError } from '../src/index.js';
import { parseEndpoint } from '../src/driver.js';

// What an endpoint a caller gives may be (the WHATWG URL standard parses it; RFC 3986
// §3.2.1 deprecates `user:password` in a URL, so snapcopy refuses any user info).
describe('parseEndpoint: accepted', () => {
  it.each([
    ['the sandbox', 'http://127.0.0.1:4566', { protocol: 'http', host: '127.0.0.1:4566', path: '/' }],
    [
      'https with a path',
      'https://ec2.example.com/base',
      { protocol: 'https', host: 'ec2.example.com', path: '/base' },
    ],
    ['IPv6 loopback', 'http://[::1]:8080/', { protocol: 'http', host: '[::1]:8080', path: '/' }],
    ['surrounding spaces', '  http://localhost:1  ', { protocol: 'http', host: 'localhost:1', path: '/' }],
  ])('%s', (_rule, value, expected) => {
    expect(parseEndpoint(value, { path: 'endpoint' })).toMatchObject({ ...expected, schemeGiven: true });
  });

  it('a bare host[:port] only where allowed, as https', () => {
    expect(parseEndpoint('ecs.example.com:8443', { path: 'endpoint', allowBareHost: true })).toEqual({
      protocol: 'https',
      host: 'ecs.example.com:8443',
      path: '/',
      schemeGiven: false,
    });
    expect(() => parseEndpoint('ecs.example.com:8443', { path: 'endpoint' })).toThrow(/not an http\(s\) URL/);
  });
});

describe('parseEndpoint: refused with INVALID_REQUEST naming where it came from, never echoing credentials', () => {
  it.each([
    ['user and password', 'http://admin:hunter2@127.0.0.1:4566', /carries credentials/],
    ['user only', 'https://token@ec2.example.com', /carries credentials/],
    ['user and password without a scheme', 'admin:hunter2@127.0.0.1:4566', /carries credentials/],
    ['not a URL', 'http://', /not a valid URL|has no host/],
    ['spaces inside', 'http://local host:1', /spaces or control characters/],
    ['a control character', 'http://localhost:1\u001b[31m', /spaces or control characters/],
    ['a bidirectional override', 'http://host\u202e:1', /spaces or control characters/],
    ['another scheme', 'ftp://example.com', /http or https/],
    ['a query', 'http://localhost:1/?x=1', /query or fragment/],
    ['a fragment', 'http://localhost:1/#x', /query or fragment/],
    ['no scheme', 'localhost:4566', /not an http\(s\) URL/],
    ['empty', '', /must be an http\(s\) URL/],
    ['not a string', 42, /must be an http\(s\) URL/],
  ])('%s', (_rule, value, why) => {
    let caught: unknown;
    try {
      parseEndpoint(value, { path: '--endpoint', provider: 'aws' });
    } catch (err) {
      caught = err;
    }
    expect(is(caught, 'INVALID_REQUEST')).toBe(true);
    const err = caught as SnapcopyError;
    expect(err.issues[0]?.path).toBe('--endpoint');
    expect(err.message).toMatch(why);
    expect(err.message).not.toMatch(/hunter2|token@/);
    expect(err.provider).toBe('aws');
  });
});
