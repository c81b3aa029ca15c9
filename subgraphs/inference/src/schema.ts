import type { GraphQLSchema } from 'graphql';
import type { PubSub } from '../../../lib/src/index';
import { applyPermissions, buildFederatedSchema } from '../../../lib/src/index';
import { resolveBatchJobReference } from './batch/batch-job.reference';
import { BatchJobResolver } from './batch/batch-job.resolver';
import { DatasetRef, ModelVersionRef, OrganizationRef, UserRef } from './common/refs.type';
import { EdgeResolver } from './edge/edge.resolver';
import { resolveEndpointReference } from './endpoint/endpoint.reference';
import { EndpointResolver } from './endpoint/endpoint.resolver';
import { permissions } from './permissions';
import { PredictionResolver } from './prediction/prediction.resolver';

/** The inference subgraph schema with permissions applied. */
export async function buildInferenceSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  const schema = await buildFederatedSchema(
    {
      resolvers: [EndpointResolver, PredictionResolver, EdgeResolver, BatchJobResolver],
      orphanedTypes: [ModelVersionRef, UserRef, OrganizationRef, DatasetRef],
      pubSub,
    },
    { Endpoint: resolveEndpointReference, BatchInferenceJob: resolveBatchJobReference },
  );
  return applyPermissions(schema, permissions);
}
