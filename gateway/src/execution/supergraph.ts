import type { GraphQLDataSource } from '@apollo/gateway';
import { ApolloGateway } from '@apollo/gateway';
import { Supergraph } from '@apollo/federation-internals';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../../../lib/src/core';
import { subgraphUrls } from '../../../lib/src/core';
import type { GatewayConfig } from '../config';
import type { GatewayMetrics } from '../observability/metrics';
import type { AuthRequirements } from '../protection/edge-auth';
import { readAuthRequirements, stripSecurityFeatures } from '../protection/edge-auth';
import { reformatError } from '../protection/error-format';
import type { SubscriptionExecutor } from '../subscriptions/executor';
import { createSubscriptionExecutor } from '../subscriptions/executor';
import { reportValueCompletion } from './answer-check';
import { ResilientDataSource } from './data-source';
import { createSubgraphFetcher } from './http-fetcher';
import { enablePassThrough } from './pass-through';
import { capVariableErrors } from './variable-check';

/** What the gateway serves for one supergraph version. */
export interface SupergraphState {
  /** The supergraph without the security features Apollo's planner does not know (`stripSecurityFeatures`). */
  sdl: string;
  /** The supergraph as given (a reload of the same text changes nothing). */
  original: string;
  /** Subgraph name → routing URL. */
  urls: Record<string, string>;
  dataSources: Map<string, ResilientDataSource>;
  authRequirements: AuthRequirements;
  /** The subscription executor of this version (built on first use). */
  executor(): SubscriptionExecutor;
}

/** The planning and execution side of the gateway: `@apollo/gateway` over the current supergraph version. */
export interface SupergraphExecution {
  gateway: ApolloGateway;
  current(): SupergraphState;
  /**
   * Serves a new supergraph (plans on the next operations). An invalid one throws and the current one stays.
   * @returns the new state, or undefined when `sdl` is the one already served
   */
  reload(sdl: string): SupergraphState | undefined;
  /** Closes the subgraph connections. */
  close(): void;
}

type FormatError = (formatted: GraphQLFormattedError, error?: unknown) => GraphQLFormattedError;

/**
 * Resilient subgraph calls (one `ResilientDataSource` per subgraph, shared HTTP fetcher), the
 * subscription executor, pass-through of single-subgraph operations when configured, and
 * `ApolloGateway`, whose supergraph is swapped on `reload`.
 */
export function createSupergraphExecution(
  config: GatewayConfig,
  deps: { supergraphSdl: string; logger: Logger; metrics: GatewayMetrics; formatError: FormatError },
): SupergraphExecution {
  const fetcher = createSubgraphFetcher({
    timeoutMs: config.subgraphTimeoutMs,
    idleSocketMs: config.subgraphIdleSocketMs,
    logger: deps.logger,
  });
  const policy = {
    timeoutMs: config.subgraphTimeoutMs,
    retries: config.subgraphRetries,
    breakerThreshold: config.breakerThreshold,
    breakerHalfOpenAfterMs: config.breakerHalfOpenAfterMs,
    dedupe: config.subgraphDedupe,
  };
  const dataSource = (name: string, url: string) =>
    new ResilientDataSource({ name, url, policy, metrics: deps.metrics.subgraph, fetcher });
  const formatted = (inner: SubscriptionExecutor) =>
    config.production ? formattingExecutor(inner, deps.formatError) : inner;

  function buildState(original: string): SupergraphState {
    const sdl = stripSecurityFeatures(original);
    Supergraph.build(sdl); // throws on an invalid supergraph before anything is swapped
    const urls = subgraphUrls(sdl);
    const dataSources = new Map(Object.entries(urls).map(([name, url]) => [name, dataSource(name, url)]));
    let executor: SubscriptionExecutor | undefined;
    return {
      sdl,
      urls,
      dataSources,
      original,
      authRequirements: readAuthRequirements(original),
      executor: () =>
        (executor ??= formatted(
          createSubscriptionExecutor({
            supergraphSdl: sdl,
            dataSources: Object.fromEntries(dataSources) as Record<string, GraphQLDataSource>,
            urls,
            logger: deps.logger,
          }),
        )),
    };
  }

  let state = buildState(deps.supergraphSdl);
  let pushUpdate: ((sdl: string) => void) | undefined;
  const gateway = new ApolloGateway({
    supergraphSdl: async ({ update }) => {
      pushUpdate = update;
      return { supergraphSdl: state.sdl };
    },
    buildService: ({ name, url }) => state.dataSources.get(name!) ?? dataSource(name!, url!),
  });
  reportValueCompletion(gateway);
  if (config.passThrough)
    enablePassThrough(gateway, {
      dataSource: (name) => state.dataSources.get(name),
      supergraphSdl: () => state.sdl,
      onPassThrough: (subgraph) => deps.metrics.passedThrough.inc({ subgraph }),
    });
  capVariableErrors(gateway);

  return {
    gateway,
    current: () => state,
    reload(sdl) {
      if (sdl === state.original) return undefined;
      state = buildState(sdl);
      pushUpdate?.(state.sdl);
      return state;
    },
    close: () => fetcher.close(),
  };
}

/** In production, subscription events and failures get the same error formatting as every other answer. */
function formattingExecutor(inner: SubscriptionExecutor, formatError: FormatError): SubscriptionExecutor {
  const fix = (e: unknown) => reformatError(formatError, e);
  return {
    schema: inner.schema,
    async *subscribe(args) {
      try {
        for await (const result of inner.subscribe(args))
          yield result.errors?.length ? { ...result, errors: result.errors.map(fix) } : result;
      } catch (err) {
        throw fix(err);
      }
    },
  };
}
