/** Catalog's OpenLineage namespace and dataset naming (`datasets/<id>` in `aic://catalog`). */
export const CATALOG_NAMESPACE = 'aic://catalog';
export const JOB_NAMESPACE = 'aic://synthetic';
const PRODUCER = 'https://github.com/aic-ai-platform/synthetic';
const SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/** OpenLineage event types the job emits. */
export type LineageEventType = 'START' | 'COMPLETE' | 'FAIL' | 'ABORT';

/** The OpenLineage run id of a job attempt (a UUID, stable per job so retries share the run). */
export function lineageRunId(jobId: string): string {
  return jobId;
}

/**
 * An OpenLineage 2-0-2 RunEvent for a synthetic data job: the source dataset as input, the
 * registered output (when known) as output, and the job's parameters as a custom run facet.
 */
export function buildRunEvent(
  type: LineageEventType,
  job: { id: string; synthesizer: string; seed: number; rows: number; epsilon: number | null },
  inputDatasetId: string | null,
  outputDatasetId: string | null,
  errorMessage?: string,
): Record<string, unknown> {
  const facet = { _producer: PRODUCER, _schemaURL: `${PRODUCER}/facets/synthesis.json` };
  const runFacets: Record<string, unknown> = {
    synthesis: { ...facet, synthesizer: job.synthesizer, seed: job.seed, rows: job.rows, epsilon: job.epsilon },
  };
  if (errorMessage) {
    runFacets.errorMessage = {
      _producer: PRODUCER,
      _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
      message: errorMessage,
      programmingLanguage: 'TypeScript',
    };
  }
  return {
    eventType: type,
    eventTime: new Date().toISOString(),
    producer: PRODUCER,
    schemaURL: SCHEMA_URL,
    run: { runId: lineageRunId(job.id), facets: runFacets },
    job: { namespace: JOB_NAMESPACE, name: `synthetic-data-job/${job.id}`, facets: {} },
    inputs: inputDatasetId ? [{ namespace: CATALOG_NAMESPACE, name: `datasets/${inputDatasetId}`, facets: {} }] : [],
    outputs: outputDatasetId ? [{ namespace: CATALOG_NAMESPACE, name: `datasets/${outputDatasetId}`, facets: {} }] : [],
  };
}
