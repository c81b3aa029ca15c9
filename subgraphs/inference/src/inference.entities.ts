import { BatchJobChunk } from './batch/batch-job-chunk.entity';
import { BatchInferenceJob } from './batch/batch-job.entity';
import { EndpointReplicaState } from './endpoint/endpoint-replica.entity';
import { Endpoint } from './endpoint/endpoint.entity';
import { CachedModelVersion } from './serving/cached-model-version.entity';

/** Every table of the inference subgraph (createOrm's entity list, and what its migrations build). */
export const INFERENCE_ENTITIES = [
  Endpoint,
  CachedModelVersion,
  BatchInferenceJob,
  BatchJobChunk,
  EndpointReplicaState,
];
