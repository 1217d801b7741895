import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type Nock from 'nock';

/** A request as a simulator front-end sees it. */
export interface SimHttpRequest {
  readonly method: string;
  /** Path and query string, e.g. `/?Action=…`. */
  readonly url: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * A reply; `drop` to cut the connection (after the request was applied, or instead of
 * it); `hang` to never answer, leaving the connection open until the caller gives up.
 */
export type SimHttpResponse =
  | {
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
      readonly latencyMs?: number;
    }
  | { readonly drop: true; readonly latencyMs?: number }
  | { readonly hang: true };

/** One protocol front-end: the same handler serves nock and a real HTTP server. */
export interface SimHandler {
  handle(request: SimHttpRequest): Promise<SimHttpResponse>;
}

/** A running simulator server. */
export interface SimServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops accepting, closes every open connection, resolves when closed. */
  close(): Promise<void>;
}

function flatHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Serves `handler` over HTTP on 127.0.0.1 only (port 0 = any free port). */
export async function startSimServer(
  handler: SimHandler,
  options: { port?: number } = {},
): Promise<SimServer> {
  const host = '127.0.0.1';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: SimHttpRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: flatHeaders(req.headers),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      handler
        .handle(request)
        .then(async (reply) => {
          // The socket stays open: the caller's timeout or abort ends it, or close().
          if ('hang' in reply) return;
          if (reply.latencyMs) await pause(reply.latencyMs);
          if ('drop' in reply) {
            req.socket.destroy();
            return;
          }
          res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
          res.end(reply.body);
        })
        .catch((err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`simulator failure: ${(err as Error)?.message ?? String(err)}`);
        });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// nock patches Node's http stack as soon as it is imported, which slows every request
// in the process (even to a real server). Load it only when a nock mounting is asked for.
// nock is an ES module: require() of it returns its namespace, whose default is nock.
const requireFromHere = createRequire(import.meta.url);
let nockModule: typeof Nock | undefined;
function loadNock(): typeof Nock {
  nockModule ??= (requireFromHere('nock') as { default: typeof Nock }).default;
  return nockModule;
}

/**
 * A request nock intercepted, as a simulator front-end sees it: the path and query of its
 * URL, lower-case headers (the Host header from the URL when the request object has none).
 */
export async function simRequestFromFetch(request: Request): Promise<SimHttpRequest> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  for (const [k, v] of request.headers) headers[k.toLowerCase()] = v;
  headers.host ??= url.host;
  return { method: request.method, url: `${url.pathname}${url.search}`, headers, body: await request.text() };
}

/** A nock mounting; `stop()` removes its interceptors. */
export interface SimNockMount {
  stop(): void;
}

/**
 * Mounts `handler` as a nock interceptor for every request to `origin` (a string such
 * as `https://ec2.us-east-1.amazonaws.com` or a RegExp matching many hosts) with one of
 * `methods` (default POST, the query and RPC protocols; REST APIs add GET).
 */
export function mountNock(
  handler: SimHandler,
  origin: string | RegExp,
  methods: readonly string[] = ['POST'],
): SimNockMount {
  const nock = loadNock();
  const interceptors = methods.map((method) => {
    const interceptor = nock(origin).persist().intercept(/.*/, method);
    // A reply function that throws makes the client's request fail with that error.
    interceptor.reply(async (request: Request) => {
      const reply = await handler.handle(await simRequestFromFetch(request));
      // Never settling leaves the request pending until the caller gives up.
      if ('hang' in reply) return new Promise<never>(() => {});
      if (reply.latencyMs) await pause(reply.latencyMs);
      if ('drop' in reply) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return [reply.status, reply.body, reply.headers] as const;
    });
    return interceptor;
  });
  return {
    stop: () => {
      for (const i of interceptors) nock.removeInterceptor(i);
    },
  };
}

/** Makes nock refuse every host but 127.0.0.1, so a test cannot reach a real cloud. */
export function allowOnlyLocalNetwork(): void {
  const nock = loadNock();
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
}
