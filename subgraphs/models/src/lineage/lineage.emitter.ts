import type { Logger } from '../../../../lib/src/index';
import type { CatalogClient } from '../dataset/catalog.client';

/** OpenLineage run states this service emits. */
export type LineageEventType = 'START' | 'COMPLETE' | 'FAIL' | 'ABORT';

/** The producer URI and schema of the events (OpenLineage 2-0-2). */
const PRODUCER = 'https://github.com/aic-platform/aic/tree/main/subgraphs/models';
const SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
/** Namespaces shared with catalog (datasets) and owned here (jobs, model versions). */
export const CATALOG_NAMESPACE = 'aic://catalog';
export const MODELS_NAMESPACE = 'aic://models';

/** What one event says: which run of which job read which dataset and wrote which model version. */
export interface LineageRun {
  organizationId: string;
  runId: string;
  jobName: string;
  datasetId: string;
  modelVersion?: { id: string; modelName: string; version: number; sha256: string } | null;
  error?: string | null;
  facets?: Record<string, unknown>;
}

/** Builds an OpenLineage RunEvent (dataset → job → model version). */
export function buildRunEvent(type: LineageEventType, run: LineageRun, at = new Date()): Record<string, unknown> {
  const runFacets: Record<string, unknown> = {};
  if (run.error) runFacets.errorMessage = { _producer: PRODUCER, _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet', message: run.error, programmingLanguage: 'TypeScript' };
  const outputs = run.modelVersion
    ? [
        {
          namespace: MODELS_NAMESPACE,
          name: `model-versions/${run.modelVersion.id}`,
          facets: { version: { _producer: PRODUCER, _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet', datasetVersion: `${run.modelVersion.modelName}/${run.modelVersion.version}` } },
        },
      ]
    : [];
  return {
    eventType: type,
    eventTime: at.toISOString(),
    producer: PRODUCER,
    schemaURL: SCHEMA_URL,
    run: { runId: run.runId, facets: runFacets },
    job: { namespace: MODELS_NAMESPACE, name: run.jobName, facets: {} },
    inputs: [{ namespace: CATALOG_NAMESPACE, name: `datasets/${run.datasetId}` }],
    outputs,
  };
}

/** Sends lineage to the catalog; a catalog outage is logged and never fails the job. */
export class LineageEmitter {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly logger: Logger,
  ) {}

  async emit(type: LineageEventType, run: LineageRun): Promise<boolean> {
    try {
      await this.catalog.postLineage(run.organizationId, buildRunEvent(type, run));
      return true;
    } catch (error) {
      this.logger.warn({ err: error, runId: run.runId, type }, 'lineage event not delivered');
      return false;
    }
  }
}
