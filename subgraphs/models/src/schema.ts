import type { GraphQLSchema } from 'graphql';
import type { PubSub } from '../../../lib/src/index';
import { applyPermissions, buildFederatedSchema } from '../../../lib/src/index';
import { ModelAliasResolver } from './alias/model-alias.resolver';
import { DatasetRef, UserRef } from './dataset/dataset.reference';
import { resolveModelReference } from './model/model.reference';
import { ModelResolver } from './model/model.resolver';
import { resolveModelVersionReference } from './model-version/model-version.reference';
import { ModelVersionResolver } from './model-version/model-version.resolver';
import { modelsPermissions } from './permissions';
import { PipelineResolver } from './pipeline/pipeline.resolver';
import { resolveStudyReference } from './study/study.reference';
import { StudyResolver } from './study/study.resolver';
import { resolveTrainingJobReference } from './training/training-job.reference';
import { TrainingJobResolver } from './training/training-job.resolver';
import { TrainingJobEventResolver } from './training/training-job-event.resolver';

/**
 * The models subgraph schema with permissions applied.
 * @returns an executable Federation 2 subgraph schema
 */
export async function buildModelsSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  const schema = await buildFederatedSchema(
    {
      resolvers: [
        ModelResolver,
        ModelVersionResolver,
        ModelAliasResolver,
        TrainingJobResolver,
        TrainingJobEventResolver,
        StudyResolver,
        PipelineResolver,
      ],
      orphanedTypes: [UserRef, DatasetRef],
      pubSub,
      validate: false,
    },
    {
      Model: resolveModelReference,
      ModelVersion: resolveModelVersionReference,
      TrainingJob: resolveTrainingJobReference,
      Study: resolveStudyReference,
    },
  );
  return applyPermissions(schema, modelsPermissions);
}
