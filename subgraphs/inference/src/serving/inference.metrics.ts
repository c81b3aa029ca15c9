import type { Registry } from 'prom-client';
import { Counter, Gauge, Histogram } from 'prom-client';
import { LabelCap, cappedCounter, cappedHistogram } from '../../../../lib/src/index';
import type { SessionManager } from '../runtime/session.manager';

/**
 * Prometheus metrics of the inference service, registered on the service's own registry. Endpoint
 * names and model version ids are chosen by tenants: the first `maxLabelValues` endpoint/version
 * pairs (endpoints for the batch counter) keep their labels, later ones are counted as `other`.
 */
export interface InferenceMetrics {
  predictions: { inc(labels: Record<'endpoint' | 'model_version' | 'outcome' | 'role', string>, value?: number): void };
  latency: { observe(labels: Record<'endpoint' | 'model_version' | 'role', string>, value: number): void };
  batchJobs: Counter<'status'>;
  batchRows: { inc(labels: Record<'endpoint', string>, value?: number): void };
}

/** Registers the inference metrics; session gauges are read from `sessions` at scrape time. */
export function createInferenceMetrics(
  registry: Registry,
  sessions: SessionManager,
  maxLabelValues: number,
): InferenceMetrics {
  // One cap for both per-version metrics, so a pair is labelled alike in each.
  const versions = new LabelCap(['endpoint', 'model_version'] as const, maxLabelValues);
  new Gauge({
    name: 'inference_sessions',
    help: 'onnxruntime sessions by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sessions.list()) this.inc({ state: s.state });
    },
  });
  new Gauge({
    name: 'inference_session_bytes',
    help: 'Summed ONNX size of loaded sessions',
    registers: [registry],
    collect() {
      this.set(sessions.usedBytes());
    },
  });
  return {
    predictions: cappedCounter(
      new Counter({
        name: 'inference_predictions_total',
        help: 'Predictions by endpoint, model version, outcome (ok, error) and role (route: the version that answered, shadow)',
        labelNames: ['endpoint', 'model_version', 'outcome', 'role'],
        registers: [registry],
      }),
      versions,
    ),
    latency: cappedHistogram(
      new Histogram({
        name: 'inference_prediction_duration_seconds',
        help: 'Prediction latency inside the service (validation, queueing, onnxruntime)',
        labelNames: ['endpoint', 'model_version', 'role'],
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers: [registry],
      }),
      versions,
    ),
    batchJobs: new Counter({
      name: 'inference_batch_jobs_total',
      help: 'Batch inference jobs by final status',
      labelNames: ['status'],
      registers: [registry],
    }),
    batchRows: cappedCounter(
      new Counter({
        name: 'inference_batch_rows_total',
        help: 'Rows predicted by batch jobs',
        labelNames: ['endpoint'],
        registers: [registry],
      }),
      new LabelCap(['endpoint'] as const, maxLabelValues),
    ),
  };
}
