import http from 'node:http';
import https from 'node:https';
import { parseJsonBytes, socketPayload, type Logger } from '../../../lib/src/core';

/** What `RemoteGraphQLDataSource` reads from a fetch response. */
export interface SubgraphResponse {
  ok: boolean;
  status: number;
  statusText: string;
  url: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
}

type HeadersInit = Record<string, string> | { forEach(cb: (value: string, key: string) => void): void } | undefined;

function plainHeaders(h: HeadersInit): Record<string, string> {
  if (!h) return {};
  if (typeof (h as { forEach?: unknown }).forEach === 'function') {
    const out: Record<string, string> = {};
    (h as { forEach(cb: (v: string, k: string) => void): void }).forEach((v, k) => (out[k] = v));
    return out;
  }
  return { ...(h as Record<string, string>) };
}

/**
 * The gateway's subgraph HTTP client: `node:http` with keep-alive pooling instead of WHATWG
 * `fetch`, which costs about twice the CPU per subgraph call (bench/gateway: the client was 30-40%
 * of the gateway's CPU). A call that takes longer than `timeoutMs` fails with a `TimeoutError`.
 *
 * Idle pooled connections are closed after `idleSocketMs`, or 1 s before the subgraph's announced
 * `Keep-Alive: timeout=` when that is sooner, so the gateway never sends a request on a connection
 * the subgraph is closing. Should that happen anyway (a server closing before it says), a call on a
 * reused connection is sent once more on a new connection, with a warning: any call when the
 * subgraph reset the connection with the request unread (`read ECONNRESET`, `EPIPE`), a query also
 * when the connection closed without an answer ("socket hang up": the request may have been read).
 * @returns a fetcher for `RemoteGraphQLDataSource({ fetcher })`
 */
export function createSubgraphFetcher(opts: {
  timeoutMs: number;
  maxSockets?: number;
  /** @default 3000 (well below Node's 5 s keepAliveTimeout, for servers that announce none) */
  idleSocketMs?: number;
  logger?: Logger;
}) {
  const agentOptions = { keepAlive: true, maxSockets: opts.maxSockets ?? 128, timeout: opts.idleSocketMs ?? 3_000 };
  const agents = {
    'http:': new http.Agent(agentOptions),
    'https:': new https.Agent(agentOptions),
  };
  // A gateway calls a handful of URLs: each is parsed once into request options.
  const targets = new Map<
    string,
    {
      client: typeof http | typeof https;
      protocol: string;
      hostname: string;
      port: string;
      path: string;
      agent: http.Agent;
    }
  >();
  const targetOf = (url: string) => {
    let t = targets.get(url);
    if (!t) {
      const u = new URL(url);
      const secure = u.protocol === 'https:';
      t = {
        client: secure ? https : http,
        protocol: u.protocol,
        hostname: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: `${u.pathname}${u.search}`,
        agent: agents[secure ? 'https:' : 'http:'],
      };
      if (targets.size < 1000) targets.set(url, t);
    }
    return t;
  };
  const send = (
    url: string,
    init: { method?: string; headers?: HeadersInit; body?: string | Buffer },
    fresh: boolean,
  ): Promise<SubgraphResponse> =>
    new Promise((resolve, reject) => {
      const target = targetOf(url);
      // A large body (a tensor's base64 in the variables) is written as bytes: see socketPayload.
      const body = typeof init.body === 'string' ? socketPayload(init.body) : (init.body ?? '');
      let answered = false;
      const req = target.client.request(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          path: target.path,
          method: init.method ?? 'POST',
          headers: { ...plainHeaders(init.headers), 'content-length': Buffer.byteLength(body) },
          // A resend takes a connection of its own (closed after the call), never another pooled one that may be stale too.
          agent: fresh ? false : target.agent,
        },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
            let text: string | undefined;
            const status = res.statusCode ?? 0;
            resolve({
              ok: status >= 200 && status < 300,
              status,
              statusText: res.statusMessage ?? '',
              url,
              headers: {
                get: (name) => {
                  const v = res.headers[name.toLowerCase()];
                  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
                },
              },
              text: async () => (text ??= bytes.toString('utf8')),
              // A tensor answer's large base64 strings are taken from the bytes, not decoded and parsed.
              json: async () => parseJsonBytes(bytes),
            });
          });
        },
      );
      req.setTimeout(opts.timeoutMs, () => {
        const err = new Error(`subgraph call timed out after ${opts.timeoutMs} ms`);
        err.name = 'TimeoutError';
        req.destroy(err);
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (fresh || answered || !req.reusedSocket || !staleConnection(err, body)) return reject(err);
        opts.logger?.warn(
          { url, err: { code: err.code, message: err.message } },
          'subgraph closed a kept-alive connection as the gateway reused it: sending the call again on a new connection',
        );
        send(url, init, true).then(resolve, reject);
      });
      req.end(body);
    });
  const fetcher = (
    url: string,
    init: { method?: string; headers?: HeadersInit; body?: string | Buffer } = {},
  ): Promise<SubgraphResponse> => send(url, init, false);
  return Object.assign(fetcher, { close: () => Object.values(agents).forEach((a) => a.destroy()) });
}

/**
 * Whether a failure on a reused connection means the subgraph closed it idle, so the call can be sent
 * again. A reset (RST) means the subgraph's socket was closed with the request unread: it never ran.
 * A close without an answer ("socket hang up") may follow a request the subgraph read and ran: only
 * a query (the body the data source writes starts with it) is sent again then.
 */
function staleConnection(err: NodeJS.ErrnoException, body: string | Buffer): boolean {
  if (err.code === 'EPIPE' || (err.code === 'ECONNRESET' && (err.syscall === 'read' || err.syscall === 'write')))
    return true;
  const start = typeof body === 'string' ? body.slice(0, 80) : body.subarray(0, 80).toString('utf8');
  return err.code === 'ECONNRESET' && QUERY_BODY.test(start);
}

/** A body `RemoteGraphQLDataSource` writes for a query: `{"query":"query …` or `{"query":"{ …`. */
const QUERY_BODY = /^\{"query":"(?:\\[nrt]|\s)*(?:\{|query\b)/;
