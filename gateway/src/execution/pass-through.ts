import { createHash } from 'node:crypto';
import type { ApolloGateway, GraphQLDataSource } from '@apollo/gateway';
import type { GraphQLFormattedError, OperationDefinitionNode } from 'graphql';
import { GraphQLError, getOperationAST, parse, print } from 'graphql';
import type { AnswerCheck } from './answer-check';
import { compileAnswerCheck } from './answer-check';
import { variableErrors } from './variable-check';

/** The part of a query plan's root fetch that decides and does a pass-through. */
interface FetchNode {
  kind: 'Fetch';
  serviceName: string;
  operation: string;
  operationName?: string;
  variableUsages?: string[];
  requires?: unknown;
  inputRewrites?: unknown[];
  outputRewrites?: unknown[];
  contextRewrites?: unknown[];
}

type Verdict = { fetch: FetchNode; check: AnswerCheck } | null;
type RequestContext = Parameters<ApolloGateway['executor']>[0];

/** `query Op($a: T) { f }` and `query Other__svc__0($a:T){f}` print alike once names are dropped. */
function shapeOf(operation: OperationDefinitionNode): string {
  return print({ ...operation, name: undefined });
}

/**
 * Sends an operation whose query plan is one fetch of the client's own operation from one
 * subgraph straight to that subgraph. The answer is checked against the client's (API) schema as plan
 * execution's result shaping checks it, without rebuilding it: an answer that fits (the common case)
 * is returned as it came; one with a null in a non-null position or a value outside its type (an
 * enum value the supergraph hides or does not know, after a subgraph deployed ahead of the
 * supergraph) gets the nulls and errors the planned path gives. Everything before execution
 * (parsing, validation, limits, edge auth, metrics) and the subgraph call itself (the resilient
 * data source: headers, timeouts, retries, circuit breaker, sharing) are the same as always.
 *
 * An operation qualifies when its plan is a single root fetch without requires or rewrites and
 * the fetched operation prints exactly as the client's (so no fragments to inline, no aliases or
 * `__typename` added, no unused variables), and the check can be compiled (no introspection field,
 * only `@skip`/`@include`). The first request of each operation runs the planner's way and records
 * the verdict; a new supergraph clears them.
 */
export function enablePassThrough(
  gateway: ApolloGateway,
  opts: {
    dataSource: (name: string) => GraphQLDataSource | undefined;
    supergraphSdl: () => string;
    onPassThrough?: (subgraph: string) => void;
  },
) {
  const original = gateway.executor;
  const verdicts = new Map<string, Verdict>();
  let sdlSeen = '';
  const internals = gateway as unknown as {
    queryPlanStore?: { get(key: string): Promise<{ node?: { kind: string } } | undefined> };
  };

  const decide = async (key: string, rc: RequestContext): Promise<Verdict> => {
    const plan = await internals.queryPlanStore?.get(key);
    const node = plan?.node as FetchNode | undefined;
    if (
      !node ||
      node.kind !== 'Fetch' ||
      node.requires ||
      node.inputRewrites?.length ||
      node.outputRewrites?.length ||
      node.contextRewrites?.length
    )
      return null;
    const client = rc.operation;
    const fetched = getOperationAST(parse(node.operation));
    if (!client || !fetched || client.operation === 'subscription') return null;
    if (shapeOf(fetched) !== shapeOf(client)) return null;
    const check = compileAnswerCheck(rc.schema, client);
    return check ? { fetch: node, check } : null;
  };

  const passThrough = async ({ fetch, check }: NonNullable<Verdict>, rc: RequestContext) => {
    const source = opts.dataSource(fetch.serviceName);
    if (!source) return undefined;
    // The executor's own variable check, against the API schema.
    const given = rc.request.variables ?? {};
    const errors = variableErrors(rc.schema, rc.operation!.variableDefinitions ?? [], given);
    if (errors) return { errors };
    // Variable names are the client's: only its own keys count (`$constructor` is not Object's).
    const variables: Record<string, unknown> = {};
    for (const name of fetch.variableUsages ?? []) if (Object.hasOwn(given, name)) variables[name] = given[name];
    opts.onPassThrough?.(fetch.serviceName);
    let response: Awaited<ReturnType<GraphQLDataSource['process']>>;
    try {
      response = await source.process({
        // GraphQLDataSourceRequestKind.INCOMING_OPERATION (the enum is not exported by the package).
        kind: 'incoming operation' as never,
        request: { query: fetch.operation, variables, operationName: fetch.operationName },
        incomingRequestContext: rc,
        context: rc.context,
      });
    } catch (error) {
      // The data source throws for a 4xx answer (a token the subgraph refuses ...): answer like the
      // planned path does, with the subgraph's own errors, not as an unhandled failure (HTTP 500).
      return refusedAnswer(error, fetch.serviceName);
    }
    // As plan execution: no data (a subgraph down or slow answers only SUBGRAPH_UNAVAILABLE ...) is
    // null fields, climbing only where they are non-null; the check's own errors are reported when
    // the subgraph gave none (the planned path's valueCompletion errors, see reportValueCompletion).
    const input = response.data && typeof response.data === 'object' ? response.data : {};
    const checked = check.check(input, given);
    const answerErrors = response.errors?.length
      ? response.errors.map((e) => downstreamError(e, fetch.serviceName))
      : checked.errors;
    return { data: checked.data, ...(answerErrors.length ? { errors: answerErrors } : {}) };
  };

  gateway.executor = async (rc) => {
    const sdl = opts.supergraphSdl();
    if (sdl !== sdlSeen) {
      sdlSeen = sdl;
      verdicts.clear();
    }
    if (!rc.queryHash) return original(rc);
    const key = rc.request.operationName
      ? createHash('sha256').update(rc.queryHash).update(rc.request.operationName).digest('hex')
      : rc.queryHash;
    const verdict = verdicts.get(key);
    if (verdict) {
      const answer = await passThrough(verdict, rc);
      if (answer) return answer;
    }
    const result = await original(rc);
    if (verdict === undefined) {
      if (verdicts.size >= 10_000) verdicts.clear();
      verdicts.set(key, await decide(key, rc).catch(() => null));
    }
    return result;
  };
  return { verdicts };
}

/** A subgraph's error as the gateway reports it (as @apollo/gateway's downstreamServiceError does). */
function downstreamError(
  e: GraphQLFormattedError,
  serviceName: string,
  extra: Record<string, unknown> = {},
): GraphQLError {
  const extensions = {
    ...e.extensions,
    serviceName,
    code: (e.extensions?.code as string | undefined) ?? 'DOWNSTREAM_SERVICE_ERROR',
    ...extra,
  };
  return new GraphQLError(e.message || `Error while fetching subquery from service "${serviceName}"`, {
    path: e.path,
    extensions,
  });
}

/**
 * The answer when the subgraph answered the call with a 4xx the data source throws (its
 * errorFromResponse: a 413 PAYLOAD_TOO_LARGE, a 401 without a GraphQL body ...): that error of this
 * fetch, as plan execution reports it, with the status the data source gave a refusal (401, 403,
 * 429) and no other: a request the subgraph found too large is still answered 200 with the error.
 */
function refusedAnswer(error: unknown, serviceName: string) {
  const status = (error as { extensions?: { response?: { status?: number } } })?.extensions?.response?.status;
  if (!(error instanceof GraphQLError) || typeof status !== 'number' || status < 400 || status >= 500) throw error;
  return { data: null, errors: [downstreamError(error, serviceName)] };
}
