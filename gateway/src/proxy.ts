import http from 'node:http';
import https from 'node:https';
import type { Request, Response } from 'express';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

/**
 * Streams a request to `target` and the answer back, without buffering either body (uploads of
 * hundreds of megabytes pass through in constant memory).
 */
export function streamProxy(req: Request, res: Response, target: string, timeoutMs: number): void {
  const url = new URL(target);
  const headers: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
  const client = url.protocol === 'https:' ? https : http;
  const upstream = client.request(url, { method: req.method, headers, timeout: timeoutMs }, (up) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
    res.writeHead(up.statusCode ?? 502, out);
    up.pipe(res);
  });
  upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
  upstream.on('error', () => {
    if (!res.headersSent) res.status(502).json({ error: 'Upstream service unavailable' });
    else res.destroy();
  });
  req.pipe(upstream);
}
