import { Counter, Gauge, Histogram } from 'prom-client';
import type { ServiceMetrics } from '../../../lib/src/core';
import { createServiceMetrics } from '../../../lib/src/core';
import type { SubgraphCallMetrics } from '../execution/data-source';
import type { InboundDedupMetrics } from '../transport/inbound-dedup';

/** The gateway's metrics: lib's service metrics (HTTP, GraphQL operations) and its own, in one registry. */
export interface GatewayMetrics {
  service: ServiceMetrics;
  subgraph: Required<SubgraphCallMetrics>;
  /** Operations answered by one subgraph call without plan execution. */
  passedThrough: Counter<'subgraph'>;
  /** Open subscriptions (graphql-ws and multipart). */
  activeSubscriptions: Gauge;
  /** Client requests answered by an identical request's execution (AIC_GATEWAY_INBOUND_DEDUP). */
  inbound: InboundDedupMetrics;
}

export function createGatewayMetrics(opts: { maxLabelValues: number }): GatewayMetrics {
  const service = createServiceMetrics('gateway', { maxLabelValues: opts.maxLabelValues });
  const registers = [service.registry];
  return {
    service,
    subgraph: {
      duration: new Histogram({
        name: 'gateway_subgraph_request_duration_seconds',
        help: 'Subgraph fetch duration by outcome',
        labelNames: ['subgraph', 'outcome'] as const,
        registers,
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      }),
      failures: new Counter({
        name: 'gateway_subgraph_failures_total',
        help: 'Subgraph fetches that failed (unavailable, timeout, circuit open)',
        labelNames: ['subgraph', 'reason'] as const,
        registers,
      }),
      deduplicated: new Counter({
        name: 'gateway_subgraph_deduplicated_total',
        help: 'Subgraph fetches answered by an identical call already in flight',
        labelNames: ['subgraph'] as const,
        registers,
      }),
    },
    passedThrough: new Counter({
      name: 'gateway_pass_through_total',
      help: 'Operations answered by one subgraph call without plan execution (AIC_GATEWAY_PASS_THROUGH)',
      labelNames: ['subgraph'] as const,
      registers,
    }),
    activeSubscriptions: new Gauge({
      name: 'graphql_active_subscriptions',
      help: 'Open subscriptions (graphql-ws and multipart)',
      registers,
    }),
    inbound: {
      deduplicated: new Counter({
        name: 'gateway_inbound_deduplicated_total',
        help: 'GraphQL requests answered by an identical request already executing (AIC_GATEWAY_INBOUND_DEDUP)',
        registers,
      }),
      waiting: new Gauge({
        name: 'gateway_inbound_dedup_waiting',
        help: 'GraphQL requests waiting now for an identical request already executing',
        registers,
      }),
    },
  };
}
