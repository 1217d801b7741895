import { timeProviderCall } from '@snapcopy/core/driver';
import { requestIdOf } from './error-mapping.js';
import { ALIBABA_PROVIDER } from './rules/rule-error.js';

interface ReplyShape {
  readonly statusCode?: unknown;
  readonly body?: { readonly requestId?: unknown } | null;
  readonly RequestId?: unknown;
  readonly code?: unknown;
  readonly data?: { readonly Code?: unknown } | null;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Sends one Alibaba Cloud request and reports it to core (the copier's `debug` log and the
 * result's `$metadata`): the operation, the region, the HTTP status and the request id, read
 * off the reply (an ECS reply's `statusCode` and `body.requestId`, a KMS reply's `RequestId`)
 * or off the error. Never a header or a credential.
 */
export function timeAlibabaCall<R>(operation: string, region: string, request: () => Promise<R>): Promise<R> {
  return timeProviderCall({ provider: ALIBABA_PROVIDER, operation, region }, request, ({ reply, error }) => {
    if (error !== undefined) {
      const e = (typeof error === 'object' && error !== null ? error : {}) as ReplyShape;
      const requestId = requestIdOf(error);
      const code = text(e.data?.Code) ?? text(e.code) ?? 'Error';
      return {
        ...(typeof e.statusCode === 'number' ? { httpStatusCode: e.statusCode } : {}),
        ...(requestId === undefined ? {} : { requestId }),
        errorCode: code,
      };
    }
    const r = (typeof reply === 'object' && reply !== null ? reply : {}) as ReplyShape;
    const requestId = text(r.body?.requestId) ?? text(r.RequestId);
    // The RPC client (KMS) hands back the body of a 200 reply only: any other status throws.
    const status = typeof r.statusCode === 'number' ? r.statusCode : r.body === undefined ? 200 : undefined;
    return {
      ...(status === undefined ? {} : { httpStatusCode: status }),
      ...(requestId === undefined ? {} : { requestId }),
    };
  });
}
