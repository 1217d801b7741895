import { AsyncLocalStorage } from 'node:async_hooks';

/** One request an adapter sent to its provider, as it reports it (never a secret). */
export interface ProviderCallRecord {
  readonly provider: string;
  /** The provider's operation name: `DescribeSnapshots`, `CopySnapshot`, `DescribeKey`, … */
  readonly operation: string;
  readonly region: string;
  /** HTTP status of the reply, when one came back. */
  readonly httpStatusCode?: number;
  /** The provider's request id, when the reply carried one. */
  readonly requestId?: string;
  /** Wall-clock time the request took, ms. */
  readonly durationMs: number;
  /** snapcopy's error code when the request failed. */
  readonly errorCode?: string;
}

/**
 * What the provider calls behind a result said, in the spirit of the AWS SDK's `$metadata`:
 * the HTTP status and request id of the last call, every request id in order, and the
 * number of calls sent (retries and the reads a plan shares included).
 */
export interface ResponseMetadata {
  /** HTTP status of the last provider call. */
  readonly httpStatusCode?: number;
  /** Request id of the last provider call that returned one. */
  readonly requestId?: string;
  /** Request ids of every provider call, in the order they were sent. */
  readonly requestIds: readonly string[];
  /** Provider calls sent for this result, retries included. */
  readonly attempts: number;
}

interface CallScope {
  readonly calls: ProviderCallRecord[];
  readonly onCall?: (call: ProviderCallRecord) => void;
  readonly parent?: CallScope;
}

const scopes = new AsyncLocalStorage<CallScope>();

/**
 * Reports one provider call from an adapter's call layer: it is kept for the `$metadata`
 * of the result being made and handed to the copier's logger (at `debug`). Outside a
 * copier operation it goes nowhere.
 */
export function reportProviderCall(call: ProviderCallRecord): void {
  const scope = scopes.getStore();
  if (scope === undefined) return;
  let logged = false;
  for (let s: CallScope | undefined = scope; s !== undefined; s = s.parent) {
    s.calls.push(call);
    if (!logged && s.onCall !== undefined) {
      logged = true;
      s.onCall(call);
    }
  }
}

/**
 * Runs `fn`, collecting every provider call reported while it runs (in any task it
 * starts). Scopes nest: a call is kept by every enclosing scope, and logged by the
 * innermost one that logs.
 */
export async function withProviderCalls<T>(
  fn: () => Promise<T>,
  onCall?: (call: ProviderCallRecord) => void,
): Promise<{ readonly value: T; readonly calls: readonly ProviderCallRecord[] }> {
  const scope: CallScope = {
    calls: [],
    ...(onCall === undefined ? {} : { onCall }),
    ...(scopes.getStore() === undefined ? {} : { parent: scopes.getStore() as CallScope }),
  };
  const value = await scopes.run(scope, fn);
  return { value, calls: scope.calls };
}

/** The `$metadata` of a result made by `calls`. */
export function responseMetadata(calls: readonly ProviderCallRecord[]): ResponseMetadata {
  const requestIds = calls.flatMap((c) => (c.requestId === undefined ? [] : [c.requestId]));
  const last = calls.at(-1);
  const lastId = requestIds.at(-1);
  return {
    ...(last?.httpStatusCode === undefined ? {} : { httpStatusCode: last.httpStatusCode }),
    ...(lastId === undefined ? {} : { requestId: lastId }),
    requestIds,
    attempts: calls.length,
  };
}

/**
 * Times one provider request and reports it, success or failure. `describe` reads the HTTP
 * status and request id off the reply (or off the error) in the SDK's own way.
 */
export async function timeProviderCall<R>(
  call: { readonly provider: string; readonly operation: string; readonly region: string },
  request: () => Promise<R>,
  describe: (outcome: { readonly reply?: R; readonly error?: unknown }) => {
    readonly httpStatusCode?: number;
    readonly requestId?: string;
    readonly errorCode?: string;
  },
): Promise<R> {
  const started = performance.now();
  const done = (outcome: { reply?: R; error?: unknown }) => {
    let facts: ReturnType<typeof describe> = {};
    try {
      facts = describe(outcome);
    } catch {
      // A reply too odd to read ids from is still a call.
    }
    reportProviderCall({
      ...call,
      durationMs: Math.round(performance.now() - started),
      ...(facts.httpStatusCode === undefined ? {} : { httpStatusCode: facts.httpStatusCode }),
      ...(facts.requestId === undefined || facts.requestId === '' ? {} : { requestId: facts.requestId }),
      ...(facts.errorCode === undefined ? {} : { errorCode: facts.errorCode }),
    });
  };
  try {
    const reply = await request();
    done({ reply });
    return reply;
  } catch (error) {
    done({ error });
    throw error;
  }
}
