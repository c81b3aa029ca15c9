import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  operations: Counter<'operation' | 'type' | 'status'>;
  operationDuration: Histogram<'operation' | 'type'>;
}

/**
 * A Prometheus registry of one service (never the global one, so tests can run many services in
 * one process), with default process metrics and HTTP/GraphQL metrics.
 */
export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({ name: 'http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method', 'route', 'status'], registers: [registry], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] }),
    operations: new Counter({ name: 'graphql_operations_total', help: 'GraphQL operations by name, type and outcome', labelNames: ['operation', 'type', 'status'], registers: [registry] }),
    operationDuration: new Histogram({ name: 'graphql_operation_duration_seconds', help: 'GraphQL operation duration', labelNames: ['operation', 'type'], registers: [registry], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] }),
  };
}

/** Apollo Server plugin counting operations and timing them. */
export function metricsPlugin(metrics: ServiceMetrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(ctx) {
          const operation = ctx.operationName ?? 'anonymous';
          const type = ctx.operation?.operation ?? 'unknown';
          const status = ctx.errors?.length ? 'error' : 'ok';
          metrics.operations.inc({ operation, type, status });
          metrics.operationDuration.observe({ operation, type }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
