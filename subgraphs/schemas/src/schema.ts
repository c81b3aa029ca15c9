import type { GraphQLSchema } from 'graphql';
import { applyPermissions, buildFederatedSchema } from '../../../lib/src/index';
import { OrganizationRef, UserRef } from './federation/references.type';
import { permissions } from './permissions';
import { RegistryResolver } from './registry/registry.resolver';
import { resolveSchemaVersionReference } from './schema-version/schema-version.reference';
import { SchemaVersionResolver } from './schema-version/schema-version.resolver';
import { resolveSubjectReference } from './subject/subject.reference';
import { SubjectResolver } from './subject/subject.resolver';

/** Builds the schemas subgraph schema with permissions applied. */
export async function buildSchemasSchema(): Promise<GraphQLSchema> {
  const schema = await buildFederatedSchema(
    {
      resolvers: [RegistryResolver, SubjectResolver, SchemaVersionResolver],
      orphanedTypes: [UserRef, OrganizationRef],
    },
    { SchemaVersion: resolveSchemaVersionReference, Subject: resolveSubjectReference },
  );
  return applyPermissions(schema, permissions);
}
