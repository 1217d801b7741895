import { timeProviderCall } from '@snapcopy/core/driver';

interface SdkMetadata {
  readonly httpStatusCode?: number;
  readonly requestId?: string;
}

interface SdkOutcome {
  readonly $metadata?: SdkMetadata;
  readonly $response?: { readonly statusCode?: number };
  readonly name?: unknown;
}

/**
 * Sends one AWS SDK request and reports it to core (the copier's `debug` log and the
 * result's `$metadata`): the operation, the region, and from the SDK's `$metadata` (on the
 * reply, or on the error) the HTTP status and request id. Never a header or a credential.
 */
export function timeAwsCall<R>(operation: string, region: string, request: () => Promise<R>): Promise<R> {
  return timeProviderCall({ provider: 'aws', operation, region }, request, ({ reply, error }) => {
    const outcome = (error ?? reply ?? {}) as SdkOutcome;
    const meta = outcome.$metadata ?? {};
    const status = meta.httpStatusCode ?? outcome.$response?.statusCode;
    return {
      ...(typeof status === 'number' ? { httpStatusCode: status } : {}),
      ...(typeof meta.requestId === 'string' ? { requestId: meta.requestId } : {}),
      ...(error === undefined
        ? {}
        : { errorCode: typeof outcome.name === 'string' ? outcome.name : 'Error' }),
    };
  });
}
