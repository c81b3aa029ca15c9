// OpenLineage namespaces and names of the platform: which service owns which namespace and how it
// names its jobs and datasets. Every emitter (catalog, models, synthetic, inference) and catalog's
// ingestion use these, so the lineage graph joins up across services.

/** The namespace each service emits its jobs (and, for catalog and models, its datasets) in. */
export const LINEAGE_NAMESPACES = {
  /** Datasets registered in the catalog (`datasets/<id>`). */
  catalog: 'aic://catalog',
  /** Training jobs, studies (`training/<model>`, `study/<model>`) and model versions (`model-versions/<id>`). */
  models: 'aic://models',
  /** Synthetic data jobs (`synthetic-data-job/<id>`). */
  synthetic: 'aic://synthetic',
  /** Batch inference jobs (`batch-inference.<endpoint name>`). */
  inference: 'aic://inference',
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
} as const;

/** The catalog dataset id an OpenLineage dataset refers to, when it is a catalog dataset. */
export function catalogDatasetIdOf(namespace: string, name: string): string | undefined {
  if (namespace !== LINEAGE_NAMESPACES.catalog) return undefined;
  const m = /^datasets\/([0-9a-fA-F-]{36})$/.exec(name);
  return m ? m[1] : undefined;
}
