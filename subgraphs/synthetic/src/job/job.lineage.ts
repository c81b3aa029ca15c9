import type { OpenLineageEmitter, RunHandle } from '../../../../lib/src/index';
import { LINEAGE_NAMESPACES, lineageNames } from '../../../../lib/contracts/index';
import { catalogDatasetRef } from '../../../../lib/src/index';

/** The producer URI of the synthetic service's OpenLineage events. */
export const SYNTHETIC_PRODUCER = 'https://github.com/aic-ai-platform/synthetic';
/** Namespace of the synthetic service's jobs (datasets are catalog's `aic://catalog`). */
export const JOB_NAMESPACE = LINEAGE_NAMESPACES.synthetic;

/**
 * Emits START for a synthetic data job: the source dataset (if any) as input, the job's parameters as
 * the custom `synthesis` run facet on every event of the run. The run id is the job id, so retries
 * of a job share one run.
 */
export function startJobRun(
  emitter: OpenLineageEmitter,
  job: {
    id: string;
    organizationId: string;
    synthesizer: string;
    seed: number;
    rows: number;
    epsilon: number | null;
    sourceDatasetId: string | null;
  },
): Promise<RunHandle> {
  const synthesis = {
    _producer: SYNTHETIC_PRODUCER,
    _schemaURL: `${SYNTHETIC_PRODUCER}/facets/synthesis.json`,
    synthesizer: job.synthesizer,
    seed: job.seed,
    rows: job.rows,
    epsilon: job.epsilon,
  };
  return emitter.startRun(
    job.organizationId,
    { namespace: JOB_NAMESPACE, name: lineageNames.syntheticJob(job.id) },
    {
      runId: job.id,
      inputs: job.sourceDatasetId ? [catalogDatasetRef(job.sourceDatasetId)] : [],
      facets: { synthesis },
    },
  );
}
