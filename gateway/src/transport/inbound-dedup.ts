import type http from 'node:http';
import type { BaseContext, HTTPGraphQLRequest, HTTPGraphQLResponse } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import type { Counter, Gauge } from 'prom-client';
import type { DocumentNode, ParseOptions } from 'graphql';
import { Kind, parse } from 'graphql';

/** What Apollo Server's `executeHTTPGraphQLRequest` takes. */
export interface HTTPGraphQLExecution<TContext extends BaseContext> {
  httpGraphQLRequest: HTTPGraphQLRequest;
  context: () => Promise<TContext>;
}

export interface InboundDedupMetrics {
  /** Requests answered by an identical request's execution. */
  deduplicated: Counter;
  /** Requests waiting right now for an identical request's execution. */
  waiting: Gauge;
}

export interface InboundDedupOptions<TContext extends BaseContext> {
  execute: (args: HTTPGraphQLExecution<TContext>) => Promise<HTTPGraphQLResponse>;
  /** Parse limits of the operations (the gateway's `maxTokens`): a document past them is never shared. */
  parseOptions?: ParseOptions;
  metrics: InboundDedupMetrics;
  /** The supergraph being served (its object changes on reload): a request never waits for an execution on an older one. */
  supergraph: () => object;
  /** Operation documents whose operation types are remembered (500), each up to `maxDocumentChars` (32 KiB; longer ones are never shared). */
  maxDocuments?: number;
  maxDocumentChars?: number;
}

type OperationType = 'query' | 'mutation' | 'subscription';

/**
 * Inbound in-flight deduplication: identical query operations arriving while one of them executes
 * wait for that execution instead of starting their own, and each gets its own answer (its own
 * status and header map over the same immutable serialised body). Identical means the same document
 * text, `operationName`, variables and extensions (canonical JSON: key order does not matter), URL
 * search, and what identity, routing and the answer's form depend on: `Authorization`, `Accept` and
 * the client address (forwarded to subgraphs as `x-forwarded-for`, and the per-IP rate limit's key).
 * Per-request names (`x-request-id`, `traceparent`) are not part of the key: the shared execution
 * carries the first request's to the subgraphs, and every client's answer its own `x-request-id`.
 *
 * Only queries are shared: never mutations or subscriptions, nor requests without the document's
 * text (persisted-query hashes, whose misses answer each request), nor documents over 32 KiB (the
 * parsed documents' types are kept, bounded in count and size). A failure is shared like data. An
 * execution does not belong to any request: a client that disconnects (the first included) cancels
 * nothing for the others. An incremental (streamed) answer cannot be replayed: its waiters execute
 * on their own.
 */
export function createInboundDedup<TContext extends BaseContext>(opts: InboundDedupOptions<TContext>) {
  /** In-flight executions by key, per supergraph (a reload starts an empty map; the old one goes with its executions). */
  let inFlight = new Map<string, Promise<HTTPGraphQLResponse>>();
  let inFlightOf: object | undefined;
  const maxDocuments = opts.maxDocuments ?? 500;
  const maxDocumentChars = opts.maxDocumentChars ?? 32 * 1024;
  /** Document text → its operations' types by name ('' for an anonymous one); null when it does not parse. */
  const documents = new Map<string, Map<string, OperationType> | null>();

  const operationTypeOf = (query: string, operationName: unknown): OperationType | undefined => {
    if (query.length > maxDocumentChars) return undefined;
    let operations = documents.get(query);
    if (operations === undefined) {
      operations = operationsOf(query, opts.parseOptions);
      if (documents.size >= maxDocuments) {
        const oldest = documents.keys().next();
        if (!oldest.done) documents.delete(oldest.value);
      }
      documents.set(query, operations);
    }
    if (!operations) return undefined;
    if (typeof operationName === 'string') return operations.get(operationName);
    if (operationName !== undefined && operationName !== null) return undefined;
    // Without a name, the only operation of the document (Apollo refuses the others).
    if (operations.size !== 1) return undefined;
    return operations.values().next().value;
  };

  return async (req: http.IncomingMessage, args: HTTPGraphQLExecution<TContext>): Promise<HTTPGraphQLResponse> => {
    const request = shareableOf(args.httpGraphQLRequest);
    // Types come from a cache of parsed documents, before any key is built: a mutation (an inference
    // call with megabytes of variables) costs one lookup.
    if (!request || operationTypeOf(request.query, request.operationName) !== 'query') return opts.execute(args);
    const key = keyOf(req, args.httpGraphQLRequest, request);
    const supergraph = opts.supergraph();
    if (supergraph !== inFlightOf) {
      inFlight = new Map();
      inFlightOf = supergraph;
    }
    const executions = inFlight;
    const shared = executions.get(key);
    if (shared) {
      opts.metrics.deduplicated.inc();
      opts.metrics.waiting.inc();
      let answer: HTTPGraphQLResponse;
      try {
        answer = await shared;
      } finally {
        opts.metrics.waiting.dec();
      }
      if (answer.body.kind !== 'complete') return opts.execute(args);
      return { status: answer.status, headers: new HeaderMap(answer.headers), body: answer.body };
    }
    const execution = opts.execute(args);
    executions.set(key, execution);
    try {
      return await execution;
    } finally {
      if (executions.get(key) === execution) executions.delete(key);
    }
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

interface ShareableRequest {
  query: string;
  operationName: unknown;
  variables: unknown;
  extensions: unknown;
}

/** The parts of a request that may be shared: one with the document's text and no persisted-query hash. */
function shareableOf(request: HTTPGraphQLRequest): ShareableRequest | undefined {
  const { body } = request;
  if (!isObject(body) || typeof body.query !== 'string') return undefined;
  const { query, operationName, variables, extensions } = body;
  if (isObject(extensions) && extensions.persistedQuery !== undefined) return undefined;
  return { query, operationName, variables, extensions };
}

/** What identical requests have in common. */
function keyOf(req: http.IncomingMessage, httpRequest: HTTPGraphQLRequest, request: ShareableRequest): string {
  // express's `req.ip` (the trusted client address: the direct POST path gives the request express's prototype).
  const ip = (req as { ip?: string }).ip ?? req.socket.remoteAddress ?? '';
  const identity = [
    httpRequest.headers.get('authorization') ?? '',
    httpRequest.headers.get('accept') ?? '',
    ip,
    httpRequest.search,
    canonicalJson(request.operationName ?? null),
    canonicalJson(request.variables ?? null),
    canonicalJson(request.extensions ?? null),
  ];
  return `${JSON.stringify(identity)}\n${request.query}`;
}

/** JSON with object keys sorted, so that key order makes no difference. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** The operations of a document by name, or null when it does not parse within the limits. */
function operationsOf(query: string, parseOptions?: ParseOptions): Map<string, OperationType> | null {
  let document: DocumentNode;
  try {
    document = parse(query, { ...parseOptions, noLocation: true });
  } catch {
    return null;
  }
  const operations = new Map<string, OperationType>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.OPERATION_DEFINITION)
      operations.set(definition.name?.value ?? '', definition.operation as OperationType);
  return operations;
}
