import type { GraphQLSchema } from 'graphql';
import type { PubSub } from '../../../lib/src/index';
import { applyPermissions, buildFederatedSchema } from '../../../lib/src/index';
import { Application } from './application/application.entity';
import { ApplicationResolver } from './application/application.resolver';
import { ConfigVersion } from './config-version/config-version.entity';
import { ConfigVersionResolver } from './config-version/config-version.resolver';
import type { AppsContext } from './context';
import { Deployment } from './deployment/deployment.entity';
import { DeploymentResolver } from './deployment/deployment.resolver';
import { appsPermissions } from './permissions';
import { EndpointRef, ModelVersionRef, OrganizationRef, SchemaVersionRef, UserRef } from './shared/refs.type';
import { organizationScopedReference } from '../../../lib/contracts/references';

/** Entity lookups for the gateway: only within the viewer's organization, `null` otherwise. */
function scoped<T extends { organizationId: string }>(entity: new () => T) {
  return organizationScopedReference({ permission: 'apps:read' }, (ctx: AppsContext, id, organizationId) => ctx.em.findOne(entity, { id, organizationId } as any) as Promise<T | null>);
}

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
    { Application: scoped(Application), Deployment: scoped(Deployment), ConfigVersion: scoped(ConfigVersion) },
  );
  return applyPermissions(schema, appsPermissions);
}
