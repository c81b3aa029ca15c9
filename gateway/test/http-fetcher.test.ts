import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubgraphFetcher } from '../src/execution/http-fetcher';

// Real servers on IPv4 and IPv6 loopback: each answers with what it received.
const servers: http.Server[] = [];
const urls: Record<'v4' | 'v6', string> = { v4: '', v6: '' };
const fetcher = createSubgraphFetcher({ timeoutMs: 300 });

beforeAll(async () => {
  for (const [family, host] of [
    ['v4', '127.0.0.1'],
    ['v6', '::1'],
  ] as const) {
    const server = http.createServer(
      (req, res) =>
        void (async () => {
          let body = '';
          for await (const chunk of req) body += chunk;
          if (req.url?.startsWith('/slow')) return void setTimeout(() => res.end('{}'), 2_000);
          const pad = req.url?.includes('big') ? 'x'.repeat(300_000) : '';
          res.setHeader('content-type', 'application/json');
          res.setHeader('x-seen-url', req.url ?? '');
          res.end(JSON.stringify({ method: req.method, url: req.url, body, auth: req.headers.authorization, pad }));
        })(),
    );
    await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    urls[family] = family === 'v6' ? `http://[::1]:${port}` : `http://127.0.0.1:${port}`;
  }
});

afterAll(() => {
  fetcher.close();
  for (const s of servers) s.close();
});

describe('subgraph HTTP client', () => {
  it('calls IPv4 and IPv6 URLs with their path and query, again and again, and reads answers of any size', async () => {
    for (const family of ['v4', 'v6'] as const) {
      for (let i = 0; i < 3; i++) {
        const res = await fetcher(`${urls[family]}/graphql?x=${family}`, {
          method: 'POST',
          headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
          body: `{"n":${i}}`,
        });
        expect(res.ok).toBe(true);
        expect(res.headers.get('x-seen-url')).toBe(`/graphql?x=${family}`);
        expect(await res.json()).toMatchObject({
          method: 'POST',
          url: `/graphql?x=${family}`,
          body: `{"n":${i}}`,
          auth: 'Bearer t',
        });
      }
    }
    const big = (await (await fetcher(`${urls.v4}/big`, { body: '{}' })).json()) as { pad: string };
    expect(big.pad).toHaveLength(300_000);
  });

  it('fails a call that takes longer than its timeout with a TimeoutError', async () => {
    await expect(fetcher(`${urls.v4}/slow`, { body: '{}' })).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
