import type { GraphQLSchema } from 'graphql';
import type { PubSub } from '../../../lib/src/index';
import { applyPermissions, buildFederatedSchema } from '../../../lib/src/index';
import { DatasetFieldsResolver } from './dataset/dataset-fields.resolver';
import { DatasetResolver } from './dataset/dataset.resolver';
import { OrganizationRef, SchemaVersionRef, UserRef } from './federation/references.type';
import { GovernanceResolver } from './governance/governance.resolver';
import { DatasetLineageResolver, LineageResolver, LineageRunResolver } from './lineage/lineage.resolver';
import { permissions } from './permissions';
import { QualityResolver } from './quality/quality.resolver';
import { referenceResolvers } from './references';

/** Builds the catalog subgraph schema with permissions applied. */
export async function buildCatalogSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  const schema = await buildFederatedSchema(
    {
      resolvers: [DatasetResolver, DatasetFieldsResolver, GovernanceResolver, QualityResolver, LineageResolver, LineageRunResolver, DatasetLineageResolver],
      orphanedTypes: [UserRef, OrganizationRef, SchemaVersionRef],
      pubSub,
    },
    referenceResolvers,
  );
  return applyPermissions(schema, permissions);
}
