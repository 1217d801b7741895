import { describe, expect, it } from 'vitest';
import { acs3Signature, rpcV1Signature } from '../../src/ecs/index.js';
import { decodeQueryPairs } from '../../src/ecs/rpc-params.js';
import {
  isValidDescription,
  isValidSnapshotName,
  tagKeyProblem,
  tagValueProblem,
} from '../../src/ecs/validation.js';

// Captured from @alicloud/ecs20140526@7.11.6 on the wire, secret `testsecret`.
describe('signatures against captured SDK requests', () => {
  it('ACS3-HMAC-SHA256 reproduces the captured CopySnapshot signature', () => {
    const url =
      '/?ClientToken=123e4567-e89b-12d3-a456-426655440000&DestinationRegionId=cn-shanghai&DestinationSnapshotDescription=a%20copy%3A%20with%20spaces%20%26%20symbols&DestinationSnapshotName=copy-of-snap&Encrypted=true&KMSKeyId=0e478b7a-4262-4802-b8cb-00d3fb400001&RegionId=cn-hangzhou&RetentionDays=7&SnapshotId=s-bp67acfmxazb4p0001&Tag.1.Key=team&Tag.1.Value=storage&Tag.2.Key=env&Tag.2.Value=';
    const headers = {
      host: '127.0.0.1:36363',
      'x-acs-version': '2014-05-26',
      'x-acs-action': 'CopySnapshot',
      'x-acs-date': '2026-11-22T02:05:13Z',
      'x-acs-signature-nonce': '4347d46c607a9f39300d3fc96d408e21399f1cd3986bbfc5fb837a899542a3d5',
      accept: 'application/json',
      'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'x-acs-credentials-provider': 'static_ak',
    };
    const signed =
      'host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version'.split(
        ';',
      );
    const req = { method: 'POST', path: '/', query: decodeQueryPairs(url.slice(2)), headers, body: '' };
    expect(acs3Signature(req, signed, 'testsecret')).toBe(
      '643d5a4b389119a1de9ddacd07561d0810d70684ad6536eac61688f338b53892',
    );
    expect(acs3Signature(req, signed, 'wrongsecret')).not.toBe(
      '643d5a4b389119a1de9ddacd07561d0810d70684ad6536eac61688f338b53892',
    );
  });

  it('legacy HMAC-SHA1 reproduces the captured CopySnapshot signature', () => {
    const query =
      'Action=CopySnapshot&Format=json&Version=2014-05-26&Timestamp=2026-11-22T02%3A05%3A13Z&SignatureNonce=5b4fabb45cb0be77df4a47a4fa8ea2c89fef5e6b38ac2f2afc8280b395446a03&DestinationRegionId=cn-shanghai&DestinationSnapshotDescription=desc&DestinationSnapshotName=copy-of-snap&RegionId=cn-hangzhou&SnapshotId=s-bp67acfmxazb4p0001&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&AccessKeyId=LTAI5tTESTKEYID&Signature=g%2Bb7aIt6cMRSAxOSPVCtnwNdD94%3D';
    const pairs = decodeQueryPairs(query);
    expect(rpcV1Signature('POST', pairs, 'testsecret')).toBe('g+b7aIt6cMRSAxOSPVCtnwNdD94=');
  });

  it('decodes %20 as a space and keeps a raw plus', () => {
    expect(decodeQueryPairs('a=x%20y&b=1+2&c=&d')).toEqual([
      ['a', 'x y'],
      ['b', '1+2'],
      ['c', ''],
      ['d', ''],
    ]);
  });
});

describe('name, description and tag rules', () => {
  const names: Array<[string, string, boolean]> = [
    ['2 characters is the minimum', 'ab', true],
    ['1 character is too short', 'a', false],
    ['128 characters is the maximum', `a${'b'.repeat(127)}`, true],
    ['129 characters is too long', `a${'b'.repeat(128)}`, false],
    ['must start with a letter', '1abc', false],
    ['Chinese characters count as letters', '快照副本', true],
    ['colons, underscores, periods and hyphens are allowed', 'a:b_c.d-e', true],
    ['spaces are not allowed', 'a b', false],
    ['cannot start with http://', 'http://x', false],
  ];
  it.each(names)('snapshot name: %s', (_rule, name, ok) => expect(isValidSnapshotName(name)).toBe(ok));

  const descriptions: Array<[string, string, boolean]> = [
    ['2 characters is the minimum', 'ab', true],
    ['1 character is too short', 'a', false],
    ['256 characters is the maximum', 'd'.repeat(256), true],
    ['257 characters is too long', 'd'.repeat(257), false],
    ['cannot start with https://', 'https://x', false],
    ['spaces and symbols are fine', 'a copy: with spaces & symbols', true],
  ];
  it.each(descriptions)('description: %s', (_rule, d, ok) => expect(isValidDescription(d)).toBe(ok));

  const tagKeys: Array<[string, string, boolean]> = [
    ['a plain key is fine', 'team', true],
    ['empty key is malformed', '', false],
    ['aliyun prefix is reserved', 'aliyun-x', false],
    ['acs: prefix is reserved', 'acs:x', false],
    ['keys cannot contain a URL', 'see http://x', false],
    ['128 characters is the maximum', 'k'.repeat(128), true],
    ['129 characters is too long', 'k'.repeat(129), false],
  ];
  it.each(tagKeys)('tag key: %s', (_rule, k, ok) => expect(tagKeyProblem(k) === undefined).toBe(ok));

  const tagValues: Array<[string, string, boolean]> = [
    ['empty value is allowed', '', true],
    ['aliyun prefix is reserved', 'aliyunx', false],
    ['129 characters is too long', 'v'.repeat(129), false],
  ];
  it.each(tagValues)('tag value: %s', (_rule, v, ok) => expect(tagValueProblem(v) === undefined).toBe(ok));
});
