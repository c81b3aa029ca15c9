import type express from 'express';
import type http from 'node:http';
import { REVOCATIONS_HEARTBEAT_SECONDS, REVOCATIONS_PATH, REVOCATIONS_STREAM_PATH } from '../../../../lib/src/index';
import type { RevocationHub } from './revocation.hub';

/** Open streams one identity process serves; each verifier (gateway or service replica) holds one. */
const MAX_STREAMS = 1024;

/**
 * The revocation list and its live stream, which every verifier follows. Like a certificate
 * revocation list they are public to whoever can reach identity: they hold opaque ids and expiry
 * times, nothing that grants access (the gateway does not proxy `/internal`).
 * @returns a function that ends every open stream (call it before draining, or the drain waits on them)
 */
export function mountRevocationRoutes(app: express.Express, hub: RevocationHub): () => void {
  const streams = new Set<http.ServerResponse>();
  let closing = false;
  app.get(REVOCATIONS_PATH, (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json({ revocations: hub.list.snapshot() });
  });
  app.get(REVOCATIONS_STREAM_PATH, (req, res) => {
    if (closing || streams.size >= MAX_STREAMS) {
      res.status(503).setHeader('retry-after', '5').json({ error: 'Too many revocation streams' });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    streams.add(res);
    // Listen before the snapshot is taken, so nothing revoked in between is lost (a repeat is harmless).
    const unlisten = hub.list.onRevoked((r) => res.write(`event: revoked\ndata: ${JSON.stringify(r)}\n\n`));
    res.write(`event: snapshot\ndata: ${JSON.stringify(hub.list.snapshot())}\n\n`);
    const ping = setInterval(() => res.write(': ping\n\n'), REVOCATIONS_HEARTBEAT_SECONDS * 1000);
    req.socket.setTimeout(0);
    res.on('close', () => {
      clearInterval(ping);
      unlisten();
      streams.delete(res);
    });
  });
  return () => {
    closing = true;
    for (const res of streams) res.end();
  };
}
