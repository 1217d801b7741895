import { simRequestFromFetch } from '@snapcopy/testkit';
import nock from 'nock';
import { OWN_ACCOUNT } from './ec2-nock.js';

/** A KMS key as the fake KMS describes it. */
export interface FakeKey {
  readonly arn: string;
  readonly aliases?: readonly string[];
  readonly state?: string;
  /** `AWS` for the AWS managed key. */
  readonly manager?: 'AWS' | 'CUSTOMER';
  readonly keySpec?: string;
  /** DescribeKey answers AccessDeniedException naming the key policy (another account's key not shared). */
  readonly keyPolicyDenies?: boolean;
}

/** One request as the fake KMS or EBS direct APIs received it. */
export interface ServiceCall {
  readonly service: 'kms' | 'ebs';
  /** `X-Amz-Target` operation (KMS) or `ListChangedBlocks` (EBS). */
  readonly operation: string;
  /** Region of the credential scope. */
  readonly region: string;
  /** Service of the credential scope (SigV4 signing name). */
  readonly signingService: string;
  readonly host: string;
  /** JSON body (KMS) or query string members (EBS). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly path: string;
}

const ARN = /^arn:aws:kms:([a-z0-9-]+):(\d+):(key|alias)\/(.+)$/;

function regionOf(headers: Record<string, unknown>): string {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(headers.authorization ?? ''))?.[1] ?? '?';
}

function serviceOf(headers: Record<string, unknown>): string {
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(headers.authorization ?? ''))?.[1] ?? '?';
}

/** What KMS names with `ref` in `region` for the caller (key id, key ARN, alias, alias ARN). */
function lookUp(keys: readonly FakeKey[], ref: string, region: string): FakeKey | undefined {
  const m = ARN.exec(ref);
  return keys.find((k) => {
    const km = ARN.exec(k.arn)!;
    if (km[1] !== region) return false;
    if (m) {
      if (m[1] !== region) return false;
      return m[3] === 'key' ? k.arn === ref : m[2] === km[2] && (k.aliases ?? []).includes(`alias/${m[4]}`);
    }
    return ref.startsWith('alias/')
      ? km[2] === OWN_ACCOUNT && (k.aliases ?? []).includes(ref)
      : km[4] === ref;
  });
}

/**
 * Intercepts `https://kms.<region>.amazonaws.com` (JSON 1.1, `X-Amz-Target:
 * TrentService.DescribeKey`) with nock and answers DescribeKey from `keys`, as KMS does:
 * NotFoundException for an unknown reference, AccessDeniedException for a key whose policy
 * keeps the caller out. `identityDenied` answers every call AccessDeniedException from the
 * caller's own permissions (KMS not readable).
 */
export function fakeKms(
  keys: readonly FakeKey[],
  options: { identityDenied?: boolean } = {},
): { calls: ServiceCall[]; done(): void } {
  const calls: ServiceCall[] = [];
  const scope = nock(/kms\.[a-z0-9-]+\.amazonaws\.com/)
    .persist()
    .post('/')
    .reply(async (request: Request) => {
      const { headers, body } = await simRequestFromFetch(request);
      const region = regionOf(headers);
      const params = JSON.parse(body || '{}') as Record<string, unknown>;
      const operation = String(headers['x-amz-target'] ?? '').replace(/^TrentService\./, '');
      calls.push({
        service: 'kms',
        operation,
        region,
        signingService: serviceOf(headers),
        host: String(headers.host ?? ''),
        params,
        path: '/',
      });
      const json = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'kms-req' };
      const error = (type: string, message: string) => [400, JSON.stringify({ __type: type, message }), json];
      const ref = String(params.KeyId ?? '');
      if (options.identityDenied) {
        return error(
          'AccessDeniedException',
          `User: arn:aws:iam::${OWN_ACCOUNT}:user/ci is not authorized to perform: kms:DescribeKey on resource: ${ref} because no identity-based policy allows the kms:DescribeKey action`,
        );
      }
      const key = lookUp(keys, ref, region);
      if (!key) return error('NotFoundException', `Key '${ref}' does not exist`);
      if (key.keyPolicyDenies) {
        return error(
          'AccessDeniedException',
          `User: arn:aws:iam::${OWN_ACCOUNT}:root is not authorized to perform: kms:DescribeKey on resource: ${key.arn} because no resource-based policy allows the kms:DescribeKey action`,
        );
      }
      const [, , account, , id] = ARN.exec(key.arn)!;
      const state = key.state ?? 'Enabled';
      return [
        200,
        JSON.stringify({
          KeyMetadata: {
            AWSAccountId: account,
            KeyId: id,
            Arn: key.arn,
            KeyState: state,
            Enabled: state === 'Enabled',
            KeyManager: key.manager ?? 'CUSTOMER',
            KeySpec: key.keySpec ?? 'SYMMETRIC_DEFAULT',
            KeyUsage: 'ENCRYPT_DECRYPT',
          },
        }),
        json,
      ];
    });
  return {
    calls,
    done() {
      scope.persist(false);
    },
  };
}

/**
 * Intercepts `https://ebs.<region>.amazonaws.com/snapshots/<second>/changedblocks` (the EBS
 * direct APIs, REST-JSON) and answers ListChangedBlocks with `changed(first, second)` blocks
 * (undefined: ResourceNotFoundException), `pageSize` per page.
 */
export function fakeEbs(
  changed: (first: string | undefined, second: string) => number | undefined,
  pageSize = 10_000,
): { calls: ServiceCall[]; done(): void } {
  const calls: ServiceCall[] = [];
  const scope = nock(/ebs\.[a-z0-9-]+\.amazonaws\.com/)
    .persist()
    .get(/\/snapshots\/[^/]+\/changedblocks/)
    .query(true)
    .reply(async (request: Request) => {
      const { headers } = await simRequestFromFetch(request);
      const url = new URL(request.url);
      const second = decodeURIComponent(url.pathname.split('/')[2]!);
      const params = Object.fromEntries(url.searchParams);
      calls.push({
        service: 'ebs',
        operation: 'ListChangedBlocks',
        region: regionOf(headers),
        signingService: serviceOf(headers),
        host: String(headers.host ?? ''),
        params,
        path: url.pathname,
      });
      const json = { 'content-type': 'application/json', 'x-amzn-requestid': 'ebs-req' };
      const total = changed(params.firstSnapshotId, second);
      if (total === undefined) {
        return [
          404,
          JSON.stringify({
            message: `The snapshot '${params.firstSnapshotId}' does not exist.`,
            Reason: 'SNAPSHOT_NOT_FOUND',
          }),
          { ...json, 'x-amzn-errortype': 'ResourceNotFoundException' },
        ];
      }
      const from = params.pageToken === undefined ? 0 : Number(params.pageToken);
      const to = Math.min(total, from + pageSize);
      return [
        200,
        JSON.stringify({
          ChangedBlocks: Array.from({ length: to - from }, (_, i) => ({
            BlockIndex: from + i,
            SecondBlockToken: 't',
          })),
          BlockSize: 524_288,
          VolumeSize: 100,
          ExpiryTime: 1_900_000_000,
          ...(to < total ? { NextToken: String(to) } : {}),
        }),
        json,
      ];
    });
  return {
    calls,
    done() {
      scope.persist(false);
    },
  };
}
