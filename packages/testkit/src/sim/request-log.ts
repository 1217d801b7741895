import { AppendOnlyLog } from './append-log.js';

/** One request a simulator received, as the cloud saw it. */
export interface RequestLogEntry {
  /** Virtual time of the request, ms since the epoch. */
  readonly at: number;
  readonly cloud: 'ec2' | 'ecs';
  /** Operation name (`CopySnapshot`, `DescribeSnapshots`, …). */
  readonly operation: string;
  /** Region the request was served in. */
  readonly region: string | undefined;
  /** Account the signature resolved to; undefined when authentication failed. */
  readonly account: string | undefined;
  /** Decoded request parameters (never the signature). */
  readonly params: Readonly<Record<string, string>>;
  readonly httpStatus: number;
  /** Error code returned, if any. */
  readonly errorCode?: string;
  readonly requestId: string;
  /** The fault injected into this request, if any. */
  readonly fault?: string;
}

/** What a front end has learnt of a request by the time it answers. */
export interface RequestSoFar {
  readonly operation: string;
  readonly region: string | undefined;
  readonly account: string | undefined;
  readonly params: Readonly<Record<string, string>>;
  readonly fault: { readonly kind: string } | undefined;
}

/**
 * Logs one request, received `at`, once its answer is known: what `soFar()` says of it
 * then, with the answer's status and error code.
 */
export function requestRecorder(
  log: RequestLog,
  received: { readonly at: number; readonly cloud: RequestLogEntry['cloud']; readonly requestId: string },
  soFar: () => RequestSoFar,
): (httpStatus: number, errorCode?: string) => void {
  return (httpStatus, errorCode) => {
    const { operation, region, account, params, fault } = soFar();
    log.record({
      at: received.at,
      cloud: received.cloud,
      operation,
      region,
      account,
      params,
      httpStatus,
      ...(errorCode !== undefined ? { errorCode } : {}),
      requestId: received.requestId,
      ...(fault !== undefined ? { fault: fault.kind } : {}),
    });
  };
}

/** Append-only log of requests with simple queries for tests. */
export class RequestLog extends AppendOnlyLog<RequestLogEntry> {
  record(entry: RequestLogEntry): void {
    this.append(entry);
  }

  /** Entries for one operation (or all), optionally since an index. */
  count(operation?: string, since = 0): number {
    return this.list.slice(since).filter((e) => operation === undefined || e.operation === operation).length;
  }

  /** Current length: pass it to `count(op, since)` to count what a block of code sent. */
  get size(): number {
    return this.list.length;
  }

  clear(): void {
    this.list.length = 0;
  }
}
