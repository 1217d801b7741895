import { describe, expect, it } from 'vitest';
import { Ec2ApiError } from '../../src/ec2/errors.js';
import { SigV4Verifier } from '../../src/ec2/sigv4.js';

// The CopySnapshot request captured from @aws-sdk/client-ec2 3.1169.0 in
// A request captured from the real SDK (signed with AKIDEXAMPLE and the AWS documentation's example secret).
const body =
  'Action=CopySnapshot&Version=2016-11-15&SourceRegion=us-west-2&SourceSnapshotId=snap-0123456789abcdef0&Description=copy%20of%20snap-0123&Encrypted=true&KmsKeyId=alias%2Fmy-key&TagSpecification.1.ResourceType=snapshot&TagSpecification.1.Tag.1.Key=team&TagSpecification.1.Tag.1.Value=storage&TagSpecification.1.Tag.2.Key=empty&TagSpecification.1.Tag.2.Value=&CompletionDurationMinutes=60&DestinationRegion=us-east-1&PresignedUrl=https%3A%2F%2F127.0.0.1%3A40695%2F%3FAction%3DCopySnapshot%26CompletionDurationMinutes%3D60%26Description%3Dcopy%2520of%2520snap-0123%26DestinationRegion%3Dus-east-1%26Encrypted%3Dtrue%26KmsKeyId%3Dalias%252Fmy-key%26SourceRegion%3Dus-west-2%26SourceSnapshotId%3Dsnap-0123456789abcdef0%26TagSpecifications%3D%255Bobject%2520Object%255D%26Version%3D2016-11-15%26X-Amz-Algorithm%3DAWS4-HMAC-SHA256%26X-Amz-Credential%3DAKIDEXAMPLE%252F20261122%252Fus-west-2%252Fec2%252Faws4_request%26X-Amz-Date%3D20261122T020745Z%26X-Amz-Expires%3D3600%26X-Amz-Signature%3D8db882ba3659142c0cfe75126c56f37fbb060ca5f1993004ca1054aa3c45f00b%26X-Amz-SignedHeaders%3Dhost';
const headers = {
  'content-type': 'application/x-www-form-urlencoded',
  'content-length': '1075',
  'x-amz-user-agent': 'aws-sdk-js/3.1168.0',
  host: '127.0.0.1:40695',
  'amz-sdk-invocation-id': '777c3b97-7bb6-410d-b630-59f79b4ea233',
  'amz-sdk-request': 'attempt=1; max=3',
  'x-amz-date': '20261122T020745Z',
  'x-amz-content-sha256': 'b7a5c84acc050b8121793af59393ac2de08a146bab40a3b7397d24ca015b05e4',
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/ec2/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-user-agent, Signature=2137922c60c81bbed1b7d8b360b3fbdf35453401f247ea0f6c1d0aa1019de562',
};
const EXAMPLE_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const request = { method: 'POST', url: '/', headers, body };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof Ec2ApiError) return `${err.status} ${err.code}`;
    throw err;
  }
  return 'ok';
}

describe('SigV4 verification against a captured SDK request', () => {
  it('accepts the captured signature and reads the region from the credential scope', () => {
    expect(body.length).toBe(1075);
    const identity = new SigV4Verifier((k) => (k === 'AKIDEXAMPLE' ? EXAMPLE_SECRET : undefined)).verify(
      request,
    );
    expect(identity).toEqual({ accessKeyId: 'AKIDEXAMPLE', region: 'us-east-1' });
  });

  it.each([
    ['wrong secret → 403 SignatureDoesNotMatch', { secret: 'not-the-secret' }, '403 SignatureDoesNotMatch'],
    ['unknown access key → 401 AuthFailure', { secret: undefined }, '401 AuthFailure'],
    [
      'tampered body → 403 SignatureDoesNotMatch',
      { secret: EXAMPLE_SECRET, body: body.replace('us-west-2', 'eu-west-1') },
      '403 SignatureDoesNotMatch',
    ],
    [
      'no Authorization header → 401 MissingAuthenticationToken',
      { secret: EXAMPLE_SECRET, auth: '' },
      '401 MissingAuthenticationToken',
    ],
    [
      'garbled Authorization → 400 IncompleteSignature',
      { secret: EXAMPLE_SECRET, auth: 'AWS4-HMAC-SHA256 nonsense' },
      '400 IncompleteSignature',
    ],
    [
      'credential scoped to another service → 403 SignatureDoesNotMatch',
      { secret: EXAMPLE_SECRET, auth: headers.authorization.replace('/ec2/', '/s3/') },
      '403 SignatureDoesNotMatch',
    ],
  ] as const)('%s', (_rule, c, expected) => {
    const v = new SigV4Verifier(() => c.secret);
    const req = {
      ...request,
      body: 'body' in c ? c.body : body,
      headers: { ...headers, ...('auth' in c ? { authorization: c.auth } : {}) },
    };
    expect(codeOf(() => v.verify(req))).toBe(expected);
  });
});
