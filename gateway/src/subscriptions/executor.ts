import type { GraphQLDataSource } from '@apollo/gateway';
import { buildOperationContext, executeQueryPlan } from '@apollo/gateway';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import type { FetchNode, PlanNode, QueryPlan } from '@apollo/query-planner';
import { QueryPlanner } from '@apollo/query-planner';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import { GraphQLError, getOperationAST } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { Logger } from '../../../lib/src/core';
import type { GatewayContext } from '../context';

export interface SubscribeArgs {
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  /** The gateway context (authorization, traceparent ...) forwarded to every subgraph call. */
  context: GatewayContext;
  /**
   * Aborting ends the stream: a GraphQLError reason is its last error (token expiry, reload,
   * shutdown); any other reason ends it quietly (the client completed it or went away).
   */
  signal?: AbortSignal;
}

export interface SubscriptionExecutor {
  /** The API schema clients validate against. */
  schema: GraphQLSchema;
  subscribe(args: SubscribeArgs): AsyncGenerator<ExecutionResult>;
}

/** Reason attached to an AbortSignal to say why a subscription ends. */
export class SubscriptionEnded extends GraphQLError {
  constructor(message: string, code: string) {
    super(message, { extensions: { code } });
  }
}

/** @returns true when the selected operation of the document is a subscription */
export function isSubscriptionOperation(document: DocumentNode, operationName?: string | null): boolean {
  return getOperationAST(document, operationName ?? undefined)?.operation === 'subscription';
}

/** What an error from a subgraph or the executor may carry (a GraphQLError, its JSON form, an Error). */
type ErrorLike = { message?: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> };

const toGraphQLError = (e: unknown, serviceName?: string) => {
  if (e instanceof GraphQLError) return e;
  const like = (typeof e === 'object' || typeof e === 'function') && e !== null ? (e as ErrorLike) : undefined;
  return new GraphQLError(like?.message ?? String(e), {
    path: like?.path,
    extensions: {
      ...(like?.extensions ?? {}),
      ...(serviceName && !like?.extensions?.serviceName ? { serviceName } : {}),
    },
  });
};

/** The request context executeQueryPlan takes: given only the fields it reads (no schema hash, cache, metrics). */
type PlanRequestContext = Parameters<typeof executeQueryPlan>[2];

/**
 * Federated subscriptions on top of `@apollo/gateway`'s own planner and executor: the plan's
 * `primary` fetch runs as a graphql-ws subscription on the owning subgraph (with the caller's
 * Authorization), and for every event the gateway executes `Sequence[primary', rest]`, where
 * primary' is the same fetch answered in-process with the event's data, so entity fields owned by
 * other subgraphs are fetched, flattened and shaped exactly as for a query.
 */
export function createSubscriptionExecutor(opts: {
  supergraphSdl: string;
  dataSources: Record<string, GraphQLDataSource>;
  urls: Record<string, string>;
  logger: Logger;
}): SubscriptionExecutor {
  const supergraph = Supergraph.build(opts.supergraphSdl);
  const apiSchema = supergraph.apiSchema();
  const schema = apiSchema.toGraphQLJSSchema();
  const supergraphSchema = supergraph.schema.toGraphQLJSSchema();
  const planner = new QueryPlanner(supergraph);

  async function* subscribe(args: SubscribeArgs): AsyncGenerator<ExecutionResult> {
    const operationName = args.operationName ?? undefined;
    const plan = planner.buildQueryPlan(operationFromDocument(apiSchema, args.document, { operationName }));
    if (plan.node?.kind !== 'Subscription')
      throw new GraphQLError('Not a subscription operation', { extensions: { code: 'BAD_REQUEST' } });
    const { primary, rest } = plan.node;
    const variables = args.variables ?? {};
    // Variable names are the client's: only its own keys count (`$constructor` is not Object's).
    const upstreamVariables = Object.fromEntries(
      (primary.variableUsages ?? []).filter((v) => Object.hasOwn(variables, v)).map((v) => [v, variables[v]]),
    );
    const url = opts.urls[primary.serviceName];
    if (!url)
      throw new GraphQLError(`No subgraph "${primary.serviceName}"`, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });

    const client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      connectionParams: args.context.authorization ? { authorization: args.context.authorization } : {},
    });
    const upstream = client.iterate({
      query: primary.operation,
      variables: upstreamVariables,
      operationName: primary.operationName,
    });
    const operationContext = buildOperationContext({ schema, operationDocument: args.document, operationName });
    const aborted = new Promise<IteratorResult<unknown>>((resolve) => {
      if (args.signal?.aborted) resolve({ done: true, value: undefined });
      args.signal?.addEventListener('abort', () => resolve({ done: true, value: undefined }), { once: true });
    });

    try {
      for (;;) {
        let next: IteratorResult<unknown>;
        try {
          next = await Promise.race([upstream.next(), aborted]);
        } catch (err) {
          const reason =
            (err as { reason?: string; code?: number })?.reason || (err as Error)?.message || 'connection lost';
          yield {
            errors: [
              new GraphQLError(`Subscription ended: ${primary.serviceName} is unavailable (${reason})`, {
                extensions: { code: 'SUBSCRIPTION_UPSTREAM_ERROR', serviceName: primary.serviceName },
              }),
            ],
          };
          return;
        }
        if (args.signal?.aborted) {
          if (args.signal.reason instanceof GraphQLError) yield { errors: [args.signal.reason] };
          return;
        }
        if (next.done) return;
        const event = next.value as ExecutionResult;
        if (!event.data) {
          yield { errors: (event.errors ?? []).map((e) => toGraphQLError(e, primary.serviceName)) };
          continue;
        }
        const eventFetch: FetchNode = { ...primary, serviceName: '__event__' };
        const queryPlan: QueryPlan = {
          kind: 'QueryPlan',
          node: rest ? { kind: 'Sequence', nodes: [eventFetch, rest as PlanNode] } : eventFetch,
        };
        const serviceMap: Record<string, GraphQLDataSource> = {
          ...opts.dataSources,
          __event__: {
            process: async () => ({ data: event.data as Record<string, unknown>, errors: event.errors }),
          },
        };
        const requestContext = {
          request: { query: '', variables, operationName },
          document: args.document,
          operationName: operationName ?? null,
          context: args.context,
          logger: opts.logger,
          metrics: {},
          cache: undefined,
        } as Partial<PlanRequestContext> as PlanRequestContext;
        const result = await executeQueryPlan(
          queryPlan,
          serviceMap,
          requestContext,
          operationContext,
          supergraphSchema,
          apiSchema,
        );
        yield {
          data: result.data as Record<string, unknown> | null | undefined,
          ...(result.errors?.length ? { errors: result.errors.map((e) => toGraphQLError(e)) } : {}),
        };
      }
    } finally {
      await upstream.return?.(undefined);
      await client.dispose();
    }
  }

  return { schema, subscribe };
}
