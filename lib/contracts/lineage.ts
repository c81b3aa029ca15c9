// OpenLineage namespaces and names of the platform: which service owns which namespace and how it
// names its jobs and datasets. Every emitter (catalog, models, synthetic, inference, apps) and
// catalog's ingestion use these, so the lineage graph joins up across services:
//   datasets/<id> → training/<model> → model-versions/<id> → deploy/<endpoint> → endpoints/<id>
//   → deploy/<application>/<environment> → applications/<id>
// with batch inference (model versions, endpoint and dataset in, a dataset out) and synthetic data
// jobs (a dataset in, a dataset out) hanging off the same nodes.

/** The namespace each service emits its jobs (and, for catalog and models, its datasets) in. */
export const LINEAGE_NAMESPACES = {
  /** Datasets registered in the catalog (`datasets/<id>`). */
  catalog: 'aic://catalog',
  /** Training jobs, studies (`training/<model>`, `study/<model>`) and model versions (`model-versions/<id>`). */
  models: 'aic://models',
  /** Synthetic data jobs (`synthetic-data-job/<id>`). */
  synthetic: 'aic://synthetic',
  /**
   * Batch inference jobs (`batch-inference.<endpoint name>`), endpoint deployments
   * (`deploy/<endpoint name>`) and the endpoints they write (`endpoints/<id>`).
   */
  inference: 'aic://inference',
  /** Application rollouts (`deploy/<application name>/<environment>`) and applications (`applications/<id>`). */
  apps: 'aic://apps',
} as const;

export type LineageNamespace = (typeof LINEAGE_NAMESPACES)[keyof typeof LINEAGE_NAMESPACES];

/** The names of lineage nodes, by the namespace they live in. */
export const lineageNames = {
  /** A catalog dataset, in `aic://catalog`. */
  catalogDataset: (datasetId: string): string => `datasets/${datasetId}`,
  /** A model version, in `aic://models`. */
  modelVersion: (modelVersionId: string): string => `model-versions/${modelVersionId}`,
  /** The training job of a model, in `aic://models`. */
  trainingJob: (modelName: string): string => `training/${modelName}`,
  /** The hyperparameter study of a model, in `aic://models`. */
  studyJob: (modelName: string): string => `study/${modelName}`,
  /** A synthetic data job, in `aic://synthetic`. */
  syntheticJob: (jobId: string): string => `synthetic-data-job/${jobId}`,
  /** Batch inference through an endpoint, in `aic://inference`. */
  batchInferenceJob: (endpointName: string): string => `batch-inference.${endpointName}`,
  /** An inference endpoint (what it serves), in `aic://inference`. */
  endpoint: (endpointId: string): string => `endpoints/${endpointId}`,
  /** The deployment of model versions to an endpoint (create, traffic split changes), in `aic://inference`. */
  endpointDeployJob: (endpointName: string): string => `deploy/${endpointName}`,
  /** An application (what it calls), in `aic://apps`. */
  application: (applicationId: string): string => `applications/${applicationId}`,
  /** The rollouts of an application to one environment, in `aic://apps`. */
  applicationDeployJob: (applicationName: string, environment: string): string =>
    `deploy/${applicationName}/${environment}`,
} as const;

/** The catalog dataset id an OpenLineage dataset refers to, when it is a catalog dataset. */
export function catalogDatasetIdOf(namespace: string, name: string): string | undefined {
  if (namespace !== LINEAGE_NAMESPACES.catalog) return undefined;
  const m = /^datasets\/([0-9a-fA-F-]{36})$/.exec(name);
  return m ? m[1] : undefined;
}
