import type { GraphQLSchema } from 'graphql';
import type { PubSub } from '../../../lib/src/index';
import { applyPermissions, buildFederatedSchema } from '../../../lib/src/index';
import { resolveApplicationReference } from './application/application.reference';
import { ApplicationResolver } from './application/application.resolver';
import { resolveConfigVersionReference } from './config-version/config-version.reference';
import { ConfigVersionResolver } from './config-version/config-version.resolver';
import { resolveDeploymentReference } from './deployment/deployment.reference';
import { DeploymentResolver } from './deployment/deployment.resolver';
import { appsPermissions } from './permissions';
import { EndpointRef, ModelVersionRef, OrganizationRef, SchemaVersionRef, UserRef } from './shared/refs.type';

/**
 * The apps subgraph schema with permissions applied.
 * @returns the executable Federation 2 schema
 */
export async function buildAppsSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  const schema = await buildFederatedSchema(
    {
      resolvers: [ApplicationResolver, ConfigVersionResolver, DeploymentResolver],
      orphanedTypes: [UserRef, OrganizationRef, EndpointRef, ModelVersionRef, SchemaVersionRef],
      pubSub,
    },
    // Entity lookups for the gateway: only within the viewer's organization, null otherwise.
    {
      Application: resolveApplicationReference,
      Deployment: resolveDeploymentReference,
      ConfigVersion: resolveConfigVersionReference,
    },
  );
  return applyPermissions(schema, appsPermissions);
}
