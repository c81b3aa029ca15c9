import http from 'node:http';
import https from 'node:https';
import type { Request, Response } from 'express';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);
/** Error answers larger than this stream through as they are (they are never scrubbed whole). */
const SCRUB_MAX_BYTES = 1024 * 1024;

export interface ProxyOptions {
  /** The upstream service's origin (`http://host:port`). */
  origin: string;
  /** The raw path and query to ask it for: sent byte for byte, never re-parsed or normalised. */
  path: string;
  timeoutMs: number;
  /** Request bodies larger than this are refused with 413 `PAYLOAD_TOO_LARGE`; unset: no limit here. */
  maxBodyBytes?: number;
  /** Rewrites the text of an upstream error answer (status ≥ 400) before it reaches the client. */
  scrubError?: (text: string) => string;
}

/** An error the gateway itself answers on its REST routes, in the shape of its GraphQL errors. */
export function sendRouteError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

function tooLarge(res: Response, limit: number): void {
  sendRouteError(res, 413, 'PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${limit} bytes`);
}

/**
 * Streams a request to `origin` + `path` and the answer back, without buffering either body (uploads
 * of hundreds of megabytes pass through in constant memory). The path goes out exactly as given (no
 * URL parser normalises it on the way). Upstream error answers may be rewritten (`scrubError`), and a
 * `Location` on the upstream's own origin is made relative, so no internal address reaches the client.
 */
export function streamProxy(req: Request, res: Response, opts: ProxyOptions): void {
  const { maxBodyBytes } = opts;
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (maxBodyBytes !== undefined && Number.isFinite(declared) && declared > maxBodyBytes) {
    tooLarge(res, maxBodyBytes);
    req.resume();
    return;
  }
  const origin = new URL(opts.origin);
  const headers: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
  const client = origin.protocol === 'https:' ? https : http;
  const upstream = client.request(
    {
      protocol: origin.protocol,
      hostname: origin.hostname.replace(/^\[|\]$/g, ''),
      port: origin.port,
      path: opts.path,
      method: req.method,
      headers,
      timeout: opts.timeoutMs,
    },
    (up) => {
      // An upstream that answers before it read the whole body (401, 413 ...) reads no more of it: the
      // rest of the client's body is read here and dropped, so neither side stalls and the client's
      // connection stays usable.
      up.on('end', () => {
        if (req.complete) return;
        req.unpipe(upstream);
        upstream.destroy();
        req.resume();
      });
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      if (typeof out.location === 'string' && out.location.startsWith(origin.origin))
        out.location = out.location.slice(origin.origin.length) || '/';
      const status = up.statusCode ?? 502;
      const scrubbable =
        opts.scrubError &&
        status >= 400 &&
        !up.headers['content-encoding'] &&
        /json|text/i.test(String(up.headers['content-type'] ?? ''));
      if (!scrubbable) {
        res.writeHead(status, out);
        up.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      up.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= SCRUB_MAX_BYTES) chunks.push(c);
      });
      up.on('end', () => {
        // An oversized error body is not forwarded half-scrubbed: the status alone is left.
        const text = size <= SCRUB_MAX_BYTES ? opts.scrubError!(Buffer.concat(chunks).toString('utf8')) : '';
        delete out['content-length'];
        res.writeHead(status, { ...out, 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
      up.on('error', () => res.destroy());
    },
  );
  upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
  upstream.on('error', () => {
    if (!res.headersSent) sendRouteError(res, 502, 'SUBGRAPH_UNAVAILABLE', 'Upstream service unavailable');
    else if (!res.writableEnded) res.destroy();
  });
  if (maxBodyBytes !== undefined) {
    let received = 0;
    req.on('data', (c: Buffer) => {
      received += c.length;
      if (received <= maxBodyBytes || received - c.length > maxBodyBytes) return;
      if (!res.headersSent) tooLarge(res, maxBodyBytes);
      req.unpipe(upstream);
      upstream.destroy();
      req.resume();
    });
  }
  req.pipe(upstream);
}
