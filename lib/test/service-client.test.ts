// Issue #16 (found by test/security/fuzz.e2e.ts): an internal route's error reaches clients as its
// own JSON message only. Another body (Express's HTML 404 page "Cannot GET /internal/model-versions/"
// for a path no route matches, a proxy's page) named internal routes in the client's answer.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callInternal } from '../src/index';

let server: Server;
let base = '';
beforeAll(async () => {
  const app = express();
  app.get(
    '/internal/things/:id',
    (req, res) => void res.status(404).json({ error: `thing ${req.params.id} not found` }),
  );
  app.get('/internal/denied', (_req, res) => void res.status(403).json({ message: 'not yours' }));
  app.get(
    '/internal/proxy',
    (_req, res) =>
      void res
        .status(502)
        .type('text/plain')
        .send('upstream http://10.1.2.3:4003/internal/x refused\n    at connect (/srv/app.js:1:1)'),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const failure = (path: string) =>
  callInternal(`${base}${path}`, 'Bearer x', { service: 'the models service' }).then(
    () => undefined,
    (e: Error & { extensions?: any }) => e,
  );

describe('callInternal errors', () => {
  it("keep the route's own JSON message and the status's code", async () => {
    expect(await failure('/internal/things/7')).toMatchObject({
      message: 'the models service answered 404: thing 7 not found',
      extensions: { code: 'NOT_FOUND' },
    });
    expect(await failure('/internal/denied')).toMatchObject({
      message: 'the models service answered 403: not yours',
      extensions: { code: 'FORBIDDEN' },
    });
  });

  it('never carry another body: the HTML page of an unmatched path (an empty id), a proxy text with addresses and stacks', async () => {
    const unmatched = await failure('/internal/things/');
    expect(unmatched).toMatchObject({
      message: 'the models service answered 404: Not Found',
      extensions: { code: 'NOT_FOUND' },
    });
    const proxied = await failure('/internal/proxy');
    expect(proxied).toMatchObject({
      message: 'the models service answered 502: Bad Gateway',
      extensions: { code: 'UPSTREAM_ERROR' },
    });
    for (const e of [unmatched, proxied])
      expect(JSON.stringify({ message: e!.message, extensions: e!.extensions })).not.toMatch(
        /internal|10\.1\.2\.3|127\.0\.0\.1|srv|<html|DOCTYPE/i,
      );
  });
});
