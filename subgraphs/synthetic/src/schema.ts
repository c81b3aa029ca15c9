import type { GraphQLSchema } from 'graphql';
import type { PubSub } from '../../../lib/src/index';
import { applyPermissions, buildFederatedSchema } from '../../../lib/src/index';
import { SyntheticDataJobResolver, SyntheticReportResolver } from './job/job.resolver';
import { resolveSyntheticDataJobReference } from './job/synthetic-job.reference';
import { DatasetRef, OrganizationRef, SchemaVersionRef, UserRef } from './job/refs.type';
import { permissions } from './permissions';
import { resolveSyntheticReportReference } from './report/synthetic-report.reference';

/** The synthetic subgraph schema with its permissions applied. */
export async function buildSyntheticSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  const schema = await buildFederatedSchema(
    {
      resolvers: [SyntheticDataJobResolver, SyntheticReportResolver],
      orphanedTypes: [DatasetRef, SchemaVersionRef, UserRef, OrganizationRef],
      pubSub,
    },
    // Entity lookups from other subgraphs: scoped to the viewer's organization and `synthetic:read`.
    { SyntheticDataJob: resolveSyntheticDataJobReference, SyntheticReport: resolveSyntheticReportReference },
  );
  return applyPermissions(schema, permissions);
}
