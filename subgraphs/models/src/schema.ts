import type { GraphQLSchema } from 'graphql';
import type { PubSub } from '../../../lib/src/index';
import { applyPermissions, buildFederatedSchema } from '../../../lib/src/index';
import { ModelAliasResolver } from './alias/model-alias.resolver';
import type { ModelsContext } from './context';
import { DatasetRef, UserRef } from './dataset/dataset.reference';
import { Model } from './model/model.entity';
import { ModelResolver } from './model/model.resolver';
import { ModelVersion } from './model-version/model-version.entity';
import { ModelVersionResolver } from './model-version/model-version.resolver';
import { modelsPermissions } from './permissions';
import { PipelineResolver } from './pipeline/pipeline.resolver';
import { Study } from './study/study.entity';
import { StudyResolver } from './study/study.resolver';
import { TrainingJob } from './training/training-job.entity';
import { TrainingJobResolver } from './training/training-job.resolver';
import { TrainingJobEventResolver } from './training/training-job-event.resolver';
import { organizationScopedReference } from '../../../lib/contracts/references';

/** Entity lookups for the gateway, scoped to the viewer's organization (null otherwise). */
function scopedReference(entity: typeof Model | typeof ModelVersion | typeof TrainingJob | typeof Study) {
  return organizationScopedReference({ permission: 'models:read' }, (ctx: ModelsContext, id, organizationId) => ctx.em.findOne(entity as typeof Model, { id, organizationId }) as Promise<{ organizationId: string } | null>);
}

/**
 * The models subgraph schema with permissions applied.
 * @returns an executable Federation 2 subgraph schema
 */
export async function buildModelsSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  const schema = await buildFederatedSchema(
    {
      resolvers: [ModelResolver, ModelVersionResolver, ModelAliasResolver, TrainingJobResolver, TrainingJobEventResolver, StudyResolver, PipelineResolver],
      orphanedTypes: [UserRef, DatasetRef],
      pubSub,
      validate: false,
    },
    {
      Model: scopedReference(Model),
      ModelVersion: scopedReference(ModelVersion),
      TrainingJob: scopedReference(TrainingJob),
      Study: scopedReference(Study),
    },
  );
  return applyPermissions(schema, modelsPermissions);
}
