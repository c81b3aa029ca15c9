import type { GraphQLSchema } from 'graphql';
import type { PubSub, ServiceContext } from '../../../lib/src/index';
import { applyPermissions, buildFederatedSchema } from '../../../lib/src/index';
import { BatchInferenceJob } from './batch/batch-job.entity';
import { BatchJobResolver } from './batch/batch-job.resolver';
import { DatasetRef, ModelVersionRef, OrganizationRef, UserRef } from './common/refs.type';
import { EdgeResolver } from './edge/edge.resolver';
import { Endpoint } from './endpoint/endpoint.entity';
import { EndpointResolver } from './endpoint/endpoint.resolver';
import { permissions } from './permissions';
import { PredictionResolver } from './prediction/prediction.resolver';
import { organizationScopedReference } from '../../../lib/contracts/references';

/** The inference subgraph schema with permissions applied. */
export async function buildInferenceSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  const schema = await buildFederatedSchema(
    {
      resolvers: [EndpointResolver, PredictionResolver, EdgeResolver, BatchJobResolver],
      orphanedTypes: [ModelVersionRef, UserRef, OrganizationRef, DatasetRef],
      pubSub,
    },
    {
      Endpoint: organizationScopedReference({ permission: 'inference:read' }, (ctx: ServiceContext, id, organizationId) => ctx.em.findOne(Endpoint, { id, organizationId })),
      BatchInferenceJob: organizationScopedReference({ permission: 'inference:read' }, (ctx: ServiceContext, id, organizationId) => ctx.em.findOne(BatchInferenceJob, { id, organizationId })),
    },
  );
  return applyPermissions(schema, permissions);
}
