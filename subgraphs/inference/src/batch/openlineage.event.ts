/** An OpenLineage 2-0-2 dataset reference. */
export interface LineageDataset {
  namespace: string;
  name: string;
  facets?: Record<string, unknown>;
}

export type LineageEventType = 'START' | 'RUNNING' | 'COMPLETE' | 'ABORT' | 'FAIL';

export const PRODUCER = 'https://github.com/aic-platform/aic-ai-platform/tree/main/subgraphs/inference';
const SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/** A run event of a batch inference job (dataset + model versions → predictions). */
export function lineageRunEvent(input: {
  eventType: LineageEventType;
  runId: string;
  jobName: string;
  inputs: LineageDataset[];
  outputs: LineageDataset[];
  errorMessage?: string;
  at?: Date;
}): Record<string, unknown> {
  const runFacets: Record<string, unknown> = {};
  if (input.errorMessage) {
    runFacets.errorMessage = {
      _producer: PRODUCER,
      _schemaURL: 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
      message: input.errorMessage,
      programmingLanguage: 'TypeScript',
    };
  }
  return {
    eventType: input.eventType,
    eventTime: (input.at ?? new Date()).toISOString(),
    producer: PRODUCER,
    schemaURL: SCHEMA_URL,
    run: { runId: input.runId, facets: runFacets },
    job: { namespace: 'aic-inference', name: input.jobName, facets: {} },
    inputs: input.inputs,
    outputs: input.outputs,
  };
}
