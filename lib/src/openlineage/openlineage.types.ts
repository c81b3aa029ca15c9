/** OpenLineage 2-0-2 documents, typed as far as the catalog reads them; facets stay open maps. */

export type OpenLineageFacets = Record<string, Record<string, unknown>>;

export type RunEventType = 'START' | 'RUNNING' | 'COMPLETE' | 'ABORT' | 'FAIL' | 'OTHER';

export interface OpenLineageDataset {
  namespace: string;
  name: string;
  facets?: OpenLineageFacets;
  inputFacets?: OpenLineageFacets;
  outputFacets?: OpenLineageFacets;
}

export interface OpenLineageJob {
  namespace: string;
  name: string;
  facets?: OpenLineageFacets;
}

export interface OpenLineageRun {
  runId: string;
  facets?: OpenLineageFacets;
}

export interface OpenLineageEvent {
  eventTime: string;
  producer: string;
  schemaURL: string;
  eventType?: RunEventType;
  run?: OpenLineageRun;
  job?: OpenLineageJob;
  dataset?: OpenLineageDataset;
  inputs?: OpenLineageDataset[];
  outputs?: OpenLineageDataset[];
}

/** One input field of a column lineage entry (ColumnLineageDatasetFacet `inputFields[]`). */
export interface ColumnLineageInput {
  namespace: string;
  name: string;
  field: string;
  transformations?: { type: string; subtype?: string; description?: string; masking?: boolean }[];
}
