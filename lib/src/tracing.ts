import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Context as OtelContext, Span } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  /** Flushes and stops exporting. */
  shutdown(): Promise<void>;
}

/** Whether this process exports spans (startTracing called and not shut down): the plugin does nothing otherwise. */
let exporting = false;

/**
 * Starts OpenTelemetry tracing for this process, exporting spans by OTLP/HTTP (JSON) to
 * `endpoint` (e.g. an OpenTelemetry Collector's `http://collector:4318/v1/traces`) with W3C trace
 * context propagation. Process-wide by nature (OpenTelemetry's global provider): call it once, from main.
 */
export function startTracing(opts: { serviceName: string; endpoint: string }): Tracing {
  exporting = true;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: opts.endpoint }), { scheduledDelayMillis: 500 }),
    ],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return {
    shutdown: () => {
      exporting = false;
      return provider.shutdown();
    },
  };
}

/** The OpenTelemetry context carried by a `traceparent` header (root when absent). */
export function contextFromTraceparent(traceparent: string | undefined): OtelContext {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/** @returns the `traceparent` of the active span, or undefined when nothing is being traced */
export function activeTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/**
 * One server span per GraphQL request, child of the caller's `traceparent`, so a gateway request
 * and the subgraph calls it makes share one trace. Costs a request nothing while this process does
 * not export spans (no `startTracing`).
 */
export function tracingPlugin<TContext extends BaseContext>(
  serviceName: string,
  traceparentOf: (
    ctx: TContext,
    request?: { http?: { headers: { get(name: string): string | undefined | null } } },
  ) => string | undefined | null,
  opts: { rewriteContextTraceparent?: boolean } = {},
): ApolloServerPlugin<TContext> {
  const tracer = trace.getTracer(serviceName);
  return {
    async requestDidStart({ contextValue, request }) {
      if (!exporting) return;
      const span: Span = tracer.startSpan(
        `graphql ${request.operationName ?? 'operation'}`,
        { kind: SpanKind.SERVER, attributes: { 'service.name': serviceName } },
        contextFromTraceparent(traceparentOf(contextValue, request) ?? undefined),
      );
      const sc = span.spanContext();
      // The gateway forwards its own span as the parent of the subgraph calls it makes.
      if (opts.rewriteContextTraceparent && span.isRecording() && contextValue && typeof contextValue === 'object') {
        (contextValue as { traceparent?: string }).traceparent = `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & 1}`;
      }
      return {
        async didResolveOperation({ operation, operationName }) {
          span.updateName(`${operation?.operation ?? 'graphql'} ${operationName ?? 'anonymous'}`);
          span.setAttribute('graphql.operation.type', operation?.operation ?? 'unknown');
          if (operationName) span.setAttribute('graphql.operation.name', operationName);
        },
        async willSendResponse({ errors }) {
          if (errors?.length) span.setStatus({ code: SpanStatusCode.ERROR, message: errors[0]!.message });
          span.end();
        },
      };
    },
  };
}
