import type http from 'node:http';
import { parse as parseUrl } from 'node:url';
import type { ApolloServer, BaseContext, HTTPGraphQLRequest, HTTPGraphQLResponse } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import type { RequestHandler } from 'express';
import { documentNestingProblem } from './document-nesting';
import { parseJsonBytes } from './json-bytes';
import { jsonTooDeepAt, MAX_JSON_DEPTH } from './json-depth';

/** What the GraphQL POST handler needs besides the request. */
export interface GraphQLPostOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  bodyLimitBytes: number;
  context: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<TContext>;
  /** Runs before the body is read (rate limits ...); false when it answered the request itself. */
  admit?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;
  /** Told of an error nobody else handled (the answer is a 500). */
  onError: (err: unknown) => void;
  /** Executes in place of `apollo.executeHTTPGraphQLRequest` (the gateway's inbound deduplication wraps it). */
  execute?: (
    req: http.IncomingMessage,
    args: { httpGraphQLRequest: HTTPGraphQLRequest; context: () => Promise<TContext> },
  ) => Promise<HTTPGraphQLResponse>;
}

/** Whether a request is a JSON POST to `path` (with or without a query string). */
export function isJsonPost(req: http.IncomingMessage, path: string): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  if (url !== path && !(url.startsWith(path) && url[path.length] === '?')) return false;
  const type = req.headers['content-type'];
  return type !== undefined && /^application\/(graphql-response\+)?json\s*(;|$)/i.test(type);
}

/** Bodies from this size on are written to a socket as bytes: see socketPayload. */
export const SOCKET_STRING_MAX = 16 * 1024;

/**
 * What to hand a socket for a body: the string itself when small, else its UTF-8 bytes. Node writes a
 * large string several times slower than the same bytes (measured: a 1.6 MB answer over keep-alive
 * HTTP, 27 ms of CPU as a string against 5 ms as a Buffer, docs/inference-latency.md), so a big
 * answer (a tensor as base64 rawData) is encoded once here and written as bytes.
 */
export function socketPayload(text: string): string | Buffer {
  if (text.length < SOCKET_STRING_MAX) return text;
  // All ASCII (one UTF-8 byte per UTF-16 unit): its Latin-1 bytes are its UTF-8 bytes, copied as they
  // are. V8's UTF-8 writer walks a string that JSON.stringify built around a large one (a request's
  // rawData) character by character: 5-13 ms for 1.6 MB here, against 0.4 ms for this copy.
  return Buffer.byteLength(text, 'utf8') === text.length ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}

/** An error the handler answers itself (body too large, unreadable JSON). */
class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the whole body up to `limit` bytes; 413 past it (by Content-Length or by what arrives). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new BodyError(413, 'Request body too large'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyError(413, 'Request body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Input nested too deep for what walks it later (the parser, the gateway's planner, variable coercion,
 * forwarding to subgraphs, resolvers): the operation's text, then each variable (named), extensions,
 * and anything else in a GraphQL request body (or batch). Every transport that takes operations
 * (POST, GET, multipart, WebSocket) should refuse what this reports, with BAD_USER_INPUT.
 * @returns the field to blame and the message, or undefined when within the limits
 */
export function graphqlRequestTooDeep(body: unknown): { field: string; message: string } | undefined {
  const deep = (at: string) => `nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels (at ${at})`;
  for (const request of Array.isArray(body) ? body : [body]) {
    if (!isObject(request)) continue;
    const problem = typeof request.query === 'string' ? documentNestingProblem(request.query) : undefined;
    if (problem) return { field: 'query', message: problem };
    if (isObject(request.variables)) {
      for (const [name, value] of Object.entries(request.variables)) {
        const at = jsonTooDeepAt(value);
        if (at !== undefined) return { field: `variables.${name}`, message: `variables.${name} ${deep(at)}` };
      }
    }
    const at = jsonTooDeepAt(request.extensions);
    if (at !== undefined) return { field: 'extensions', message: `extensions ${deep(at)}` };
  }
  // The body object and `variables` wrap each value: two levels more.
  const at = jsonTooDeepAt(body, MAX_JSON_DEPTH + 2);
  return at === undefined ? undefined : { field: 'body', message: `The request body ${deep(at)}` };
}

/** The error a request graphqlRequestTooDeep refuses is answered with, on every transport (HTTP status 400). */
export function requestTooDeepError(deep: { field: string; message: string }) {
  return {
    message: deep.message,
    extensions: { code: 'BAD_USER_INPUT', fields: [{ field: deep.field, message: deep.message }] },
  };
}

/** A GET parameter that carries JSON (`variables`, `extensions`): parsed when it is JSON, else as given (Apollo answers that). */
function jsonParam(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * express middleware for `/graphql` after the JSON body parser: refuses what graphqlRequestTooDeep
 * reports in a GET request's parameters or a POST body, with 400 and BAD_USER_INPUT, as
 * graphqlPostHandler does for the POSTs it serves.
 */
export function refuseDeepGraphQLRequest(): RequestHandler {
  return (req, res, next) => {
    const deep = graphqlRequestTooDeep(req.method === 'GET' ? getRequestsOf(req.url) : req.body);
    if (!deep) return next();
    res.status(400).json({ errors: [requestTooDeepError(deep)] });
  };
}

/**
 * A GET request's parameters read as Apollo Server reads them (URLSearchParams of the URL's search),
 * one request per repeated value so none goes unchecked (Apollo refuses repeats, but after this).
 */
function getRequestsOf(url: string): { query?: string; variables?: unknown; extensions?: unknown }[] {
  // The very parse @as-integrations/express5 hands Apollo (`#`, auto-escaped characters alike).
  const params = new URLSearchParams(parseUrl(url).search ?? '');
  const all = (name: string) => params.getAll(name);
  const count = Math.max(1, ...['query', 'variables', 'extensions'].map((n) => all(n).length));
  return Array.from({ length: count }, (_, i) => ({
    query: all('query')[i],
    variables: jsonParam(all('variables')[i]),
    extensions: jsonParam(all('extensions')[i]),
  }));
}

const answerJson = (res: http.ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
};

/**
 * Serves a GraphQL JSON POST straight from node:http into Apollo Server (`executeHTTPGraphQLRequest`),
 * without a web framework in between: the body is read with a size limit and parsed once, and the
 * answer written as Apollo gives it (complete or incremental). Errors of the body itself answer
 * `{ "errors": [...] }` with 413 or 400, as Apollo answers a malformed request. Never rejects.
 */
export function graphqlPostHandler<TContext extends BaseContext>(opts: GraphQLPostOptions<TContext>) {
  const serve = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (opts.admit && !(await opts.admit(req, res))) {
      req.resume();
      return;
    }
    let body: unknown;
    try {
      const raw = await readBody(req, opts.bodyLimitBytes);
      try {
        body = raw.length === 0 ? {} : parseJsonBytes(raw);
      } catch (err) {
        throw new BodyError(400, `Invalid JSON in the request body: ${(err as Error).message}`);
      }
    } catch (err) {
      const status = err instanceof BodyError ? err.status : 400;
      answerJson(res, status, {
        errors: [
          {
            message: (err as Error).message,
            extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' },
          },
        ],
      });
      return;
    }
    const deep = graphqlRequestTooDeep(body);
    if (deep) {
      answerJson(res, 400, { errors: [requestTooDeepError(deep)] });
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers))
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const args = {
      httpGraphQLRequest: { method: 'POST', headers, search: q < 0 ? '' : url.slice(q), body },
      context: () => opts.context(req, res),
    };
    const answer = await (opts.execute ? opts.execute(req, args) : opts.apollo.executeHTTPGraphQLRequest(args));
    for (const [key, value] of answer.headers) res.setHeader(key, value);
    res.statusCode = answer.status ?? 200;
    if (answer.body.kind === 'complete') {
      const out = socketPayload(answer.body.string);
      res.setHeader('content-length', Buffer.byteLength(out));
      res.end(out);
      return;
    }
    for await (const chunk of answer.body.asyncIterator) res.write(chunk);
    res.end();
  };
  return (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> =>
    serve(req, res).catch((err) => {
      opts.onError(err);
      if (!res.headersSent)
        answerJson(res, 500, {
          errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        });
      else res.destroy();
    });
}
