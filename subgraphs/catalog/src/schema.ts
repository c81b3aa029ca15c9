import type { GraphQLSchema } from 'graphql';
import type { PubSub } from '../../../lib/src/index';
import { applyPermissions, buildFederatedSchema } from '../../../lib/src/index';
import { DatasetFieldsResolver } from './dataset/dataset-fields.resolver';
import { resolveDatasetReference } from './dataset/dataset.reference';
import { DatasetResolver } from './dataset/dataset.resolver';
import { OrganizationRef, SchemaVersionRef, UserRef } from './federation/references.type';
import { resolveAccessGrantReference } from './governance/access-grant.reference';
import { GovernanceResolver } from './governance/governance.resolver';
import { DatasetLineageResolver, LineageResolver, LineageRunResolver } from './lineage/lineage.resolver';
import { resolveLineageRunReference } from './lineage/lineage-run.reference';
import { permissions } from './permissions';
import { resolveQualityCheckReference } from './quality/quality-check.reference';
import { QualityResolver } from './quality/quality.resolver';

/** Builds the catalog subgraph schema with permissions applied. */
export async function buildCatalogSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  const schema = await buildFederatedSchema(
    {
      resolvers: [
        DatasetResolver,
        DatasetFieldsResolver,
        GovernanceResolver,
        QualityResolver,
        LineageResolver,
        LineageRunResolver,
        DatasetLineageResolver,
      ],
      orphanedTypes: [UserRef, OrganizationRef, SchemaVersionRef],
      pubSub,
    },
    // Entity lookups from other subgraphs: null unless the viewer could read the entity here.
    {
      Dataset: resolveDatasetReference,
      LineageRun: resolveLineageRunReference,
      QualityCheck: resolveQualityCheckReference,
      AccessGrant: resolveAccessGrantReference,
    },
  );
  return applyPermissions(schema, permissions);
}
