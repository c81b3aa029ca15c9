import type { GraphQLSchema } from 'graphql';
import { applyPermissions, buildFederatedSchema } from '../../../lib/src/index';
import { AuthResolver } from './auth/auth.resolver';
import { UserResolver } from './user/user.resolver';
import { OrganizationResolver } from './organization/organization.resolver';
import { RoleResolver } from './role/role.resolver';
import { SessionResolver } from './session/session.resolver';
import { ApiKeyResolver } from './api-key/api-key.resolver';
import { AuditResolver } from './audit/audit.resolver';
import {
  resolveApiKeyReference,
  resolveOrganizationReference,
  resolveRoleReference,
  resolveSessionReference,
  resolveUserReference,
} from './identity.references';
import { identityPermissions } from './permissions';

/** Identity's federated subgraph schema with its permissions applied. */
export async function buildIdentitySchema(): Promise<GraphQLSchema> {
  const schema = await buildFederatedSchema(
    {
      resolvers: [
        AuthResolver,
        UserResolver,
        OrganizationResolver,
        RoleResolver,
        SessionResolver,
        ApiKeyResolver,
        AuditResolver,
      ],
    },
    {
      User: resolveUserReference,
      Organization: resolveOrganizationReference,
      Role: resolveRoleReference,
      ApiKey: resolveApiKeyReference,
      Session: resolveSessionReference,
    },
  );
  return applyPermissions(schema, identityPermissions);
}
