import type { RuleMap } from '../../../lib/src/index';
import { hasPermission } from '../../../lib/src/index';

const read = hasPermission('models:read');
const write = hasPermission('models:write');
const train = hasPermission('models:train');
const promote = hasPermission('models:promote');

/** The models subgraph's rule map: every root field needs one of the models:* permissions. */
export const modelsPermissions: RuleMap = {
  Query: {
    models: read,
    model: read,
    modelByName: read,
    modelVersion: read,
    resolveModelUri: read,
    trainingJob: read,
    trainingJobs: read,
    study: read,
    studies: read,
    pipelineRun: read,
    pipelineRuns: read,
  },
  Mutation: {
    createModel: write,
    updateModel: write,
    createModelUpload: write,
    createModelVersion: write,
    createModelVersionDownload: read,
    setModelAlias: promote,
    deleteModelAlias: promote,
    startTrainingJob: train,
    cancelTrainingJob: train,
    startStudy: train,
    cancelStudy: train,
    startPipelineRun: train,
  },
  Subscription: {
    trainingJobProgress: read,
    studyProgress: read,
  },
};
