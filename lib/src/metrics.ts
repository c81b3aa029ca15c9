import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The value a capped label records once its metric has no room for another value. */
export const OTHER_LABEL_VALUE = 'other';

/** Values this long are never kept: a handful of them would make a scrape large on their own. */
const MAX_LABEL_VALUE_LENGTH = 100;

/**
 * @default 100 distinct values of a caller-chosen label per metric (`AIC_METRICS_MAX_LABEL_VALUES`)
 */
export const DEFAULT_MAX_LABEL_VALUES = 100;

/**
 * A hard cap on the label sets that values chosen by callers (operation names, endpoint names, model
 * version ids ...) can open on a metric. Every distinct value is a time series the service keeps in
 * memory and prints on every scrape, so without a cap anyone who can name things grows `/metrics`
 * without bound. The first `max` distinct combinations of `keys` keep their values; later ones, and
 * any value longer than 100 characters, are recorded with every key set to `other`.
 */
export class LabelCap<K extends string> {
  private readonly admitted = new Set<string>();

  constructor(
    private readonly keys: readonly K[],
    readonly max: number,
  ) {}

  /** @returns `labels` unchanged when their combination is admitted (now or before), else with the capped keys set to `other` */
  bound<T extends Record<K, string | number>>(labels: T): T {
    const values = this.keys.map((k) => String(labels[k]));
    const key = JSON.stringify(values);
    if (this.admitted.has(key)) return labels;
    if (this.admitted.size < this.max && values.every((v) => v.length <= MAX_LABEL_VALUE_LENGTH)) {
      this.admitted.add(key);
      return labels;
    }
    const folded: Record<string, string | number> = { ...labels };
    for (const k of this.keys) folded[k] = OTHER_LABEL_VALUE;
    return folded as T;
  }
}

/** A counter whose caller-chosen labels go through a cap (the rest are bounded by the code that sets them). */
export function cappedCounter<L extends string, K extends L>(
  counter: Counter<L>,
  cap: LabelCap<K>,
): { inc(labels: Record<L, string | number>, value?: number): void } {
  return { inc: (labels, value) => counter.inc(cap.bound(labels), value) };
}

/** A histogram whose caller-chosen labels go through a cap. */
export function cappedHistogram<L extends string, K extends L>(
  histogram: Histogram<L>,
  cap: LabelCap<K>,
): { observe(labels: Record<L, string | number>, value: number): void } {
  return { observe: (labels, value) => histogram.observe(cap.bound(labels), value) };
}

export interface ServiceMetrics {
  registry: Registry;
  /** `route` is a route template or `other`, `method` one the HTTP parser accepts, `status` a code this service set. */
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  operations: Counter<'operation' | 'type' | 'status'>;
  operationDuration: Histogram<'operation' | 'type'>;
  /** Operation names are chosen by clients: both operation metrics record them through this cap. */
  operationNames: LabelCap<'operation'>;
  /** How many distinct values a caller-chosen label may take per metric; service metrics size their own caps with it. */
  maxLabelValues: number;
}

/**
 * A Prometheus registry of one service (never the global one, so tests can run many services in
 * one process), with default process metrics and HTTP/GraphQL metrics.
 * @param options.maxLabelValues distinct values of a caller-chosen label per metric, @default 100
 */
export function createServiceMetrics(service: string, options: { maxLabelValues?: number } = {}): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const maxLabelValues = options.maxLabelValues ?? DEFAULT_MAX_LABEL_VALUES;
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    operations: new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations by name, type and outcome',
      labelNames: ['operation', 'type', 'status'],
      registers: [registry],
    }),
    operationDuration: new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'GraphQL operation duration',
      labelNames: ['operation', 'type'],
      registers: [registry],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    operationNames: new LabelCap(['operation'], maxLabelValues),
    maxLabelValues,
  };
}

export interface MetricsPluginOptions {
  /**
   * Whether the gateway knows an operation (its text is in the safelist). When given, known
   * operations are labelled with their name and every other one with `other`; when not, names go
   * through the metrics' cap.
   */
  isKnownOperation?: (source: string) => boolean;
}

/** Apollo Server plugin counting operations and timing them. */
export function metricsPlugin(metrics: ServiceMetrics, options: MetricsPluginOptions = {}): ApolloServerPlugin {
  const { isKnownOperation } = options;
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(ctx) {
          const name = ctx.operationName ?? 'anonymous';
          const type = ctx.operation?.operation ?? 'unknown';
          const status = ctx.errors?.length ? 'error' : 'ok';
          const operation = isKnownOperation
            ? ctx.source !== undefined && isKnownOperation(ctx.source)
              ? name
              : OTHER_LABEL_VALUE
            : metrics.operationNames.bound({ operation: name }).operation;
          metrics.operations.inc({ operation, type, status });
          metrics.operationDuration.observe({ operation, type }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
