import { simRequestFromFetch } from '@snapcopy/testkit';
import nock from 'nock';

/** One EC2 Query request as nock received it: the decoded form body and the signing region. */
export interface RecordedCall {
  readonly action: string;
  /** Region of the credential scope: the client the request was sent with. */
  readonly region: string;
  /** Host the request went to. */
  readonly host: string;
  readonly params: Readonly<Record<string, string>>;
}

/** A canned EC2 reply. */
export type CannedReply =
  | { readonly xml: string }
  | { readonly status: number; readonly code: string; readonly message?: string }
  | { readonly network: 'ECONNRESET' };

export type Responder = (call: RecordedCall, calls: readonly RecordedCall[]) => CannedReply;

/** A snapshot as the fake EC2 answers it in DescribeSnapshots. */
export interface FakeSnapshot {
  readonly id: string;
  readonly state?: string;
  readonly progress?: string;
  readonly ownerId?: string;
  readonly volumeId?: string;
  readonly volumeSize?: number;
  readonly encrypted?: boolean;
  readonly kmsKeyId?: string;
  readonly stateMessage?: string;
  readonly startTime?: string;
  readonly fullSizeBytes?: number;
  readonly storageTier?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export const OWN_ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const el = (name: string, v: string | number | boolean | undefined) =>
  v === undefined ? '' : `<${name}>${esc(String(v))}</${name}>`;

/** `<item>` of a snapshotSet. */
export function snapshotXml(s: FakeSnapshot): string {
  const tags = Object.entries(s.tags ?? {})
    .map(([k, v]) => `<item>${el('key', k)}${el('value', v)}</item>`)
    .join('');
  return (
    '<item>' +
    el('snapshotId', s.id) +
    el('volumeId', s.volumeId ?? 'vol-0123456789abcdef0') +
    el('status', s.state ?? 'completed') +
    el('statusMessage', s.stateMessage) +
    el('startTime', s.startTime ?? '2026-01-01T00:00:00.000Z') +
    el('progress', s.progress ?? '100%') +
    el('ownerId', s.ownerId ?? OWN_ACCOUNT) +
    el('volumeSize', s.volumeSize ?? 8) +
    el('encrypted', s.encrypted ?? false) +
    el('kmsKeyId', s.kmsKeyId) +
    el('storageTier', s.storageTier ?? 'standard') +
    el('fullSnapshotSizeInBytes', s.fullSizeBytes) +
    (tags ? `<tagSet>${tags}</tagSet>` : '') +
    '</item>'
  );
}

/** A whole EC2 success reply. */
export function reply(action: string, inner: string): CannedReply {
  return {
    xml: `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-ok</requestId>${inner}</${action}Response>`,
  };
}

export const describeReply = (snaps: readonly FakeSnapshot[]) =>
  reply('DescribeSnapshots', `<snapshotSet>${snaps.map(snapshotXml).join('')}</snapshotSet>`);

/** `Filter.N.Name=name` → its values, from a recorded body. */
export function filterValues(params: Readonly<Record<string, string>>, name: string): string[] | undefined {
  for (let i = 1; params[`Filter.${i}.Name`] !== undefined; i++) {
    if (params[`Filter.${i}.Name`] !== name) continue;
    const out: string[] = [];
    for (let j = 1; params[`Filter.${i}.Value.${j}`] !== undefined; j++)
      out.push(params[`Filter.${i}.Value.${j}`]!);
    return out;
  }
  return undefined;
}

/** `Prefix.N` values in order. */
export function listParam(params: Readonly<Record<string, string>>, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params[`${prefix}.${i}`] !== undefined; i++) out.push(params[`${prefix}.${i}`]!);
  return out;
}

/** `TagSpecification.1.Tag.N.{Key,Value}` as ordered pairs. */
export function tagSpecPairs(params: Readonly<Record<string, string>>, spec = 1): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 1; params[`TagSpecification.${spec}.Tag.${i}.Key`] !== undefined; i++) {
    out.push([
      params[`TagSpecification.${spec}.Tag.${i}.Key`]!,
      params[`TagSpecification.${spec}.Tag.${i}.Value`] ?? '<absent>',
    ]);
  }
  return out;
}

/**
 * Intercepts every `https://ec2.<region>.amazonaws.com` request with nock, records the
 * decoded form body and answers with `respond`. Nothing reaches the network.
 */
export function fakeEc2(respond: Responder): { calls: RecordedCall[]; done(): void } {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const calls: RecordedCall[] = [];
  const scope = nock(/ec2\.[a-z0-9-]+\.amazonaws\.com/)
    .persist()
    .post('/')
    // A reply function that throws makes the client's request fail with that error.
    .reply(async (request: Request) => {
      const { headers, body } = await simRequestFromFetch(request);
      const params = Object.fromEntries(new URLSearchParams(body));
      const auth = headers.authorization ?? '';
      const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(auth)?.[1] ?? '?';
      const call: RecordedCall = { action: params.Action ?? '?', region, host: headers.host ?? '', params };
      calls.push(call);
      const canned = respond(call, calls);
      if ('network' in canned) throw Object.assign(new Error('socket hang up'), { code: canned.network });
      if ('xml' in canned) {
        return [200, canned.xml, { 'content-type': 'text/xml', 'x-amzn-requestid': 'req-ok' }] as const;
      }
      const requestId = `req-${canned.code}`;
      return [
        canned.status,
        `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${canned.code}</Code><Message>${esc(canned.message ?? `${canned.code} happened`)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
        { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      ] as const;
    });
  return {
    calls,
    done() {
      scope.persist(false);
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}

/** Static credentials: a default chain would probe instance metadata. */
export const TEST_CREDENTIALS = Object.freeze({
  accessKeyId: 'AKIDTESTTESTTESTTEST',
  secretAccessKey: 'test-secret-0123456789abcdefghij',
});
