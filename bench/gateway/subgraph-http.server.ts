import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { execute, parse, validate } from 'graphql';

export interface RunningSubgraph {
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface GraphQLBody {
  query?: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

const MAX_CACHED_RESPONSES = 10_000;

/**
 * A minimal GraphQL-over-HTTP server for a benchmark subgraph: `POST /graphql` with a JSON body.
 * Documents are parsed and validated once per query text, and the answer to a given request body is
 * computed once and then served from memory (the data never changes), so the subgraphs stay cheap
 * and the benchmark measures the gateway, as the public benchmark's Rust subgraphs intend.
 * `GET /stats` answers `{"requests": n}`, the GraphQL requests served so far (calls per answer).
 * @returns the listening server's URL and a stop function
 */
export async function startSubgraphServer(
  schema: GraphQLSchema,
  port: number,
  host = '127.0.0.1',
): Promise<RunningSubgraph> {
  const documents = new Map<string, DocumentNode>();
  const responses = new Map<string, Buffer>();

  async function answer(raw: string): Promise<{ status: number; body: Buffer; cacheable: boolean }> {
    let request: GraphQLBody;
    try {
      request = JSON.parse(raw) as GraphQLBody;
    } catch {
      return { status: 400, body: Buffer.from('{"errors":[{"message":"Body is not JSON"}]}'), cacheable: false };
    }
    if (typeof request.query !== 'string')
      return { status: 400, body: Buffer.from('{"errors":[{"message":"No query"}]}'), cacheable: false };
    let document = documents.get(request.query);
    if (!document) {
      try {
        document = parse(request.query);
      } catch (err) {
        return {
          status: 400,
          body: Buffer.from(JSON.stringify({ errors: [{ message: (err as Error).message }] })),
          cacheable: false,
        };
      }
      const errors = validate(schema, document);
      if (errors.length)
        return {
          status: 400,
          body: Buffer.from(JSON.stringify({ errors: errors.map((e) => ({ message: e.message })) })),
          cacheable: false,
        };
      documents.set(request.query, document);
    }
    const result = await execute({
      schema,
      document,
      variableValues: request.variables ?? undefined,
      operationName: request.operationName ?? undefined,
    });
    return { status: 200, body: Buffer.from(JSON.stringify(result)), cacheable: !result.errors?.length };
  }

  let requests = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ requests }));
      return;
    }
    if (req.method !== 'POST' || !req.url?.startsWith('/graphql')) {
      res.writeHead(req.url === '/health' ? 200 : 404).end();
      return;
    }
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const cached = responses.get(raw);
      if (cached) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': cached.length }).end(cached);
        return;
      }
      answer(raw).then(
        ({ status, body, cacheable }) => {
          if (cacheable && responses.size < MAX_CACHED_RESPONSES) responses.set(raw, body);
          res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
        },
        (err: Error) =>
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ errors: [{ message: err.message }] })),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}/graphql`,
    port: actual,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
