import { simRequestFromFetch } from '@snapcopy/testkit';
import nock from 'nock';

/** One request the stub intercepted: the ECS action and its decoded query parameters. */
export interface StubCall {
  readonly action: string;
  readonly host: string;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What a handler answers: a JSON reply (status 200 by default) or a connection error. */
export type StubReply =
  | {
      readonly status?: number;
      readonly body: Record<string, unknown>;
      readonly headers?: Record<string, string>;
    }
  | { readonly error: { readonly code: string; readonly message: string } };

export type StubHandler = (params: Readonly<Record<string, string>>, call: StubCall) => StubReply;

/** A DescribeSnapshots snapshot on the wire, with defaults for what a test does not care about. */
export function wireSnapshot(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    SnapshotId: 's-source0001',
    Status: 'accomplished',
    Progress: '100%',
    Category: 'standard',
    Encrypted: false,
    KMSKeyId: '',
    SourceDiskId: 'd-disk0001',
    SourceDiskSize: 40,
    FullSnapshotSizeInBytes: 20 * 1024 ** 3,
    CreationTime: '2026-01-01T00:00:00Z',
    Tags: { Tag: [] },
    ...fields,
  };
}

/** A DescribeSnapshots reply body holding `snapshots` (always an array on the wire). */
export function describeReply(snapshots: Record<string, unknown>[], nextToken = ''): Record<string, unknown> {
  return {
    RequestId: 'REQ-DESCRIBE',
    TotalCount: snapshots.length,
    NextToken: nextToken,
    Snapshots: { Snapshot: snapshots },
  };
}

/** An ECS error reply. */
export function ecsError(
  status: number,
  code: string,
  message = `${code} happened`,
  requestId = 'REQ-ERR-1',
): StubReply {
  return {
    status,
    body: {
      RequestId: requestId,
      HostId: 'ecs.test',
      Code: code,
      Message: message,
      Recommend: 'https://api.aliyun.com/troubleshoot',
    },
  };
}

/** The key id the stub's KMS gives a key reference: `id-of-<reference>` (a key id is itself). */
export const stubKeyId = (ref: string): string => (ref.startsWith('id-of-') ? ref : `id-of-${ref}`);

/** A KMS DescribeKey reply for `ref` in `region`, in `state`. */
export function kmsKeyReply(ref: string, region: string, state = 'Enabled'): StubReply {
  const keyId = stubKeyId(ref);
  return {
    body: {
      RequestId: 'REQ-KMS',
      KeyMetadata: {
        KeyId: keyId,
        Arn: `acs:kms:${region}:1234567890123456:key/${keyId}`,
        KeyState: state,
        KeySpec: 'Aliyun_AES_256',
        KeyUsage: 'ENCRYPT/DECRYPT',
        Creator: '1234567890123456',
      },
    },
  };
}

/**
 * A nock-level ECS endpoint: dispatches on `x-acs-action` like the real service, records
 * every call with its decoded query string, and answers from per-action handlers (a
 * handler list is consumed in order, the last one repeats).
 */
export class EcsWireStub {
  readonly calls: StubCall[] = [];
  readonly #handlers = new Map<string, StubHandler[]>();
  readonly #scope: nock.Interceptor;

  constructor(readonly origin: string | RegExp) {
    // KMS shares the endpoint (a sandbox serves both): every key is enabled, its id derived from its name.
    this.#handlers.set('DescribeKey', [(p) => kmsKeyReply(p.KeyId ?? '', p.RegionId ?? '?')]);
    this.#scope = nock(origin).persist().post(/.*/);
    // A reply function that throws makes the client's request fail with that error.
    this.#scope.reply(async (request: Request) => {
      const { url: path, headers, body } = await simRequestFromFetch(request);
      const url = new URL(path, `http://${headers.host}`);
      const params: Record<string, string> = {};
      for (const [k, v] of url.searchParams) params[k] = v;
      const call: StubCall = {
        action: headers['x-acs-action'] ?? params.Action ?? '',
        host: url.host,
        params,
        headers,
        body,
      };
      this.calls.push(call);
      const list = this.#handlers.get(call.action);
      const handler = list && list.length > 1 ? list.shift()! : list?.[0];
      const reply: StubReply = handler ? handler(params, call) : ecsError(404, 'InvalidAction.NotFound');
      if ('error' in reply) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
      return [
        reply.status ?? 200,
        JSON.stringify(reply.body),
        { 'content-type': 'application/json;charset=utf-8', ...(reply.headers ?? {}) },
      ] as const;
    });
  }

  /** Answers `action` with these handlers in turn (the last repeats). */
  on(action: string, ...handlers: StubHandler[]): this {
    this.#handlers.set(action, handlers);
    return this;
  }

  /** Calls of one action. */
  of(action: string): StubCall[] {
    return this.calls.filter((c) => c.action === action);
  }

  stop(): void {
    nock.removeInterceptor(this.#scope);
  }
}
