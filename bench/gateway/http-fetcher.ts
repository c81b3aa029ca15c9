import http from 'node:http';

/** What `RemoteGraphQLDataSource` reads from a fetch response. */
export interface MinimalResponse {
  ok: boolean;
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/**
 * A subgraph fetcher on `node:http` with a keep-alive agent instead of a WHATWG fetch. The
 * benchmark uses it for a diagnostic gateway row that shows how much of a Node gateway's cost per
 * request is its subgraph HTTP client.
 * @returns a fetch-like function for `RemoteGraphQLDataSource({ fetcher })`
 */
export function createHttpFetcher(timeoutMs = 30_000) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return (url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<MinimalResponse> =>
    new Promise((resolve, reject) => {
      const body = init.body ?? '';
      const req = http.request(url, { method: init.method ?? 'POST', headers: { ...init.headers, 'content-length': Buffer.byteLength(body) }, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            statusText: res.statusMessage ?? '',
            headers: { get: (name) => (res.headers[name.toLowerCase()] as string | undefined) ?? null },
            text: async () => text,
            json: async () => JSON.parse(text) as unknown,
          });
        });
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`subgraph call timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
}
