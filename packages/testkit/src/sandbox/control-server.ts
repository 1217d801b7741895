import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { truthOfSimSnapshot } from '../conformance/simulator-harness.js';
import { parseDuration } from '../sim/duration.js';
import type { FaultInjector } from '../sim/faults.js';
import type { RequestLogEntry } from '../sim/request-log.js';
import type { SimSnapshot, SimWorld } from '../sim/world.js';
import type { SandboxCloud } from './fault-spec.js';

/** What the control endpoint reads and drives: the sandbox's clouds and its clock. */
export interface ControlTarget {
  readonly clouds: Readonly<
    Record<SandboxCloud, { readonly world: SimWorld; readonly faults: FaultInjector; advance(): void }>
  >;
  now(): number;
  /** Moves the virtual clock forward by `ms`; false when the clock cannot jump. */
  advanceClock(ms: number): boolean;
}

/** A running control endpoint. */
export interface ControlServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/** The routes, as `GET /` lists them. */
export const CONTROL_ROUTES: readonly string[] = [
  'GET  /            this list',
  'GET  /copies      every copy per cloud: id, region, state, progress, client token, source, key (?cloud=aws|alibaba)',
  'GET  /snapshots   every snapshot per cloud (?cloud=, ?account=, ?region=)',
  'GET  /requests    the request log: operation, region, account, HTTP status, request id, time (?cloud=, ?since=N)',
  'GET  /clock       the virtual time',
  'POST /clock       {"advance":"3d"}: moves the virtual clock forward (ms|s|m|h|d|w)',
  'GET  /faults      faults injected so far and requests hanging, per cloud',
];

const MAX_BODY = 64 * 1024;

/** Whether a socket's remote address is the loopback interface (IPv4 127/8, ::1, or IPv4-mapped). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}

/**
 * Whether a `Host` header names this loopback server (`127.0.0.1:<port>`, `localhost:<port>`
 * or `[::1]:<port>`). Anything else is refused, so a web page cannot reach the endpoint
 * through a name it controls (DNS rebinding).
 */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function snapshotView(cloud: SandboxCloud, s: SimSnapshot) {
  const truth = truthOfSimSnapshot(s);
  const expiresAt =
    s.retentionDays !== undefined && s.completedAt !== undefined
      ? s.completedAt + s.retentionDays * 86_400_000
      : undefined;
  return {
    cloud,
    id: s.id,
    account: s.account,
    region: s.region,
    state: truth.state,
    progress: s.progress,
    ...(truth.stateMessage !== undefined ? { stateMessage: truth.stateMessage } : {}),
    ...(truth.clientToken !== undefined ? { clientToken: truth.clientToken } : {}),
    ...(truth.copyOf !== undefined ? { source: truth.copyOf } : {}),
    encrypted: s.encrypted,
    ...(s.kmsKeyId !== undefined ? { kmsKeyId: s.kmsKeyId } : {}),
    startedAt: iso(s.startedAt),
    ...(s.completedAt !== undefined ? { completedAt: iso(s.completedAt) } : {}),
    ...(s.retentionDays !== undefined ? { retentionDays: s.retentionDays, expiresAt: iso(expiresAt) } : {}),
    deletePending: truth.deletePending,
    tags: truth.tags,
  };
}

/** One request-log entry without its parameters: no secret, signature or presigned URL can leak. */
function requestView(seq: number, e: RequestLogEntry) {
  return {
    seq,
    cloud: e.cloud === 'ec2' ? 'aws' : 'alibaba',
    operation: e.operation,
    region: e.region ?? null,
    account: e.account ?? null,
    httpStatus: e.httpStatus,
    ...(e.errorCode !== undefined ? { errorCode: e.errorCode } : {}),
    requestId: e.requestId,
    at: iso(e.at),
    ...(e.fault !== undefined ? { fault: e.fault } : {}),
  };
}

type Reply = { status: number; body: unknown };

function cloudsOf(url: URL): SandboxCloud[] | Reply {
  const c = url.searchParams.get('cloud');
  if (c === null) return ['aws', 'alibaba'];
  if (c === 'aws' || c === 'alibaba') return [c];
  return { status: 400, body: { error: `unknown cloud "${c}" (aws or alibaba)` } };
}

/** Answers one control request (after the loopback checks). Pure over the target. */
export function answerControl(target: ControlTarget, method: string, url: URL, body: string): Reply {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const clouds = cloudsOf(url);
  if (!Array.isArray(clouds)) return clouds;
  for (const c of clouds) target.clouds[c].advance();
  if (path === '/clock' && method === 'POST') {
    let request: unknown;
    try {
      request = JSON.parse(body);
    } catch {
      return { status: 400, body: { error: 'the body must be JSON, e.g. {"advance":"3d"}' } };
    }
    const advance = (request as { advance?: unknown } | null)?.advance;
    if (typeof advance !== 'string')
      return { status: 400, body: { error: 'expected {"advance":"<duration>"}' } };
    let ms: number;
    try {
      ms = parseDuration(advance);
    } catch (err) {
      return { status: 400, body: { error: (err as Error).message } };
    }
    if (!target.advanceClock(ms)) return { status: 409, body: { error: 'this sandbox clock cannot jump' } };
    for (const c of ['aws', 'alibaba'] as const) target.clouds[c].advance();
    return { status: 200, body: { now: iso(target.now()), advancedMs: ms } };
  }
  if (method !== 'GET') return { status: 405, body: { error: `${method} ${path} is not allowed` } };
  const perCloud = <T>(f: (c: SandboxCloud) => T) => Object.fromEntries(clouds.map((c) => [c, f(c)]));
  switch (path) {
    case '/':
      return { status: 200, body: { routes: CONTROL_ROUTES } };
    case '/clock':
      return { status: 200, body: { now: iso(target.now()) } };
    case '/copies':
      return {
        status: 200,
        body: perCloud((c) =>
          [...target.clouds[c].world.snapshots.values()].filter((s) => s.copy).map((s) => snapshotView(c, s)),
        ),
      };
    case '/snapshots': {
      const account = url.searchParams.get('account');
      const region = url.searchParams.get('region');
      return {
        status: 200,
        body: perCloud((c) =>
          [...target.clouds[c].world.snapshots.values()]
            .filter(
              (s) => (account === null || s.account === account) && (region === null || s.region === region),
            )
            .map((s) => snapshotView(c, s)),
        ),
      };
    }
    case '/requests': {
      const since = Number(url.searchParams.get('since') ?? '0');
      if (!Number.isInteger(since) || since < 0)
        return { status: 400, body: { error: 'since must be an integer ≥ 0' } };
      return {
        status: 200,
        body: perCloud((c) => {
          const entries = target.clouds[c].world.requests.entries();
          return {
            next: entries.length,
            entries: entries.slice(since).map((e, i) => requestView(since + i, e)),
          };
        }),
      };
    }
    case '/faults':
      return {
        status: 200,
        body: perCloud((c) => ({
          injected: target.clouds[c].faults.injected,
          hanging: target.clouds[c].faults.hanging,
        })),
      };
    default:
      return { status: 404, body: { error: `no route ${path}`, routes: CONTROL_ROUTES } };
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const text = `${JSON.stringify(reply.body)}\n`;
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function refuseReason(req: IncomingMessage, port: number): string | undefined {
  if (!isLoopbackAddress(req.socket.remoteAddress)) return 'only loopback clients are served';
  if (!isLoopbackHost(req.headers.host, port)) return 'the Host header must name 127.0.0.1 or localhost';
  const origin = req.headers.origin;
  if (origin !== undefined && !/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(origin)) {
    return 'cross-origin requests are refused';
  }
  if (req.method === 'POST' && !(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return 'POST bodies must be application/json';
  }
  return undefined;
}

/**
 * Serves the sandbox's control endpoint on 127.0.0.1 only: read-only JSON views of each
 * cloud (copies with their client tokens, snapshots, the request log without parameters,
 * faults) and one action, advancing the virtual clock. Requests that are not from the
 * loopback interface, name another host, come from a foreign web origin, or POST
 * anything but JSON get 403.
 */
export async function startControlServer(
  target: ControlTarget,
  options: { port?: number } = {},
): Promise<ControlServer> {
  const host = '127.0.0.1';
  let port = 0;
  const server = createServer((req, res) => {
    const refused = refuseReason(req, port);
    if (refused) {
      req.resume();
      send(res, { status: 403, body: { error: refused } });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        send(res, { status: 413, body: { error: 'body too large' } });
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      try {
        const url = new URL(req.url ?? '/', `http://${host}:${port}`);
        send(res, answerControl(target, req.method ?? 'GET', url, Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        send(res, { status: 500, body: { error: `control endpoint failure: ${(err as Error).message}` } });
      }
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
