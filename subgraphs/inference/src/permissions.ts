import type { RuleMap } from '../../../lib/src/index';
import { hasPermission } from '../../../lib/src/index';

const read = hasPermission('inference:read');
const invoke = hasPermission('inference:invoke');
const manage = hasPermission('inference:manage');

/** Who may call what: reading endpoints and jobs, invoking models, managing endpoints and jobs. */
export const permissions: RuleMap = {
  Query: {
    endpoint: read,
    endpoints: read,
    compareVersions: read,
    batchInferenceJob: read,
    batchInferenceJobs: read,
  },
  Mutation: {
    predict: invoke,
    createEndpoint: manage,
    updateEndpoint: manage,
    deleteEndpoint: manage,
    reloadEndpoint: manage,
    exportEdgePackage: manage,
    startBatchInference: manage,
    cancelBatchInference: manage,
  },
  Subscription: {
    predictionStream: read,
    endpointMetrics: read,
    batchInferenceProgress: read,
  },
};
