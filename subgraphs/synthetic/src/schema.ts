import type { GraphQLSchema } from 'graphql';
import type { PubSub, ServiceContext } from '../../../lib/src/index';
import { applyPermissions, buildFederatedSchema } from '../../../lib/src/index';
import { SyntheticDataJobResolver, SyntheticReportResolver } from './job/job.resolver';
import { DatasetRef, OrganizationRef, SchemaVersionRef, UserRef } from './job/refs.type';
import { SyntheticDataJob } from './job/synthetic-job.entity';
import { permissions } from './permissions';
import { SyntheticReport } from './report/synthetic-report.entity';
import { organizationScopedReference } from '../../../lib/contracts/references';

/** Entity lookups from other subgraphs: scoped to the viewer's organization and `synthetic:read`. */
const references = {
  SyntheticDataJob: organizationScopedReference({ permission: 'synthetic:read' }, (ctx: ServiceContext, id, organizationId) => ctx.em.findOne(SyntheticDataJob, { id, organizationId })),
  SyntheticReport: organizationScopedReference({ permission: 'synthetic:read' }, (ctx: ServiceContext, id, organizationId) => ctx.em.findOne(SyntheticReport, { id, organizationId })),
};

/** The synthetic subgraph schema with its permissions applied. */
export async function buildSyntheticSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  const schema = await buildFederatedSchema(
    { resolvers: [SyntheticDataJobResolver, SyntheticReportResolver], orphanedTypes: [DatasetRef, SchemaVersionRef, UserRef, OrganizationRef], pubSub },
    references,
  );
  return applyPermissions(schema, permissions);
}
