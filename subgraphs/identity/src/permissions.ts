import type { IRule } from 'graphql-shield';
import { allow } from 'graphql-shield';
import type { RuleMap } from '../../../lib/src/index';
import { hasPermission, isAuthenticated } from '../../../lib/src/index';

// graphql-shield types its built-in `allow` as a LogicRule rather than an IRule; it is one at runtime.
const isPublic = allow as unknown as IRule;

/**
 * Identity's shield rules. Sign-in and token exchanges are public (they establish the caller);
 * resolvers add the finer checks (own vs. others' sessions and keys, no privilege escalation).
 */
export const identityPermissions: RuleMap = {
  Query: {
    me: isAuthenticated,
    organization: isAuthenticated,
    organizations: isAuthenticated,
    users: hasPermission('users:read'),
    user: hasPermission('users:read'),
    roles: isAuthenticated,
    sessions: isAuthenticated,
    apiKeys: isAuthenticated,
    auditLog: hasPermission('audit:read'),
  },
  Mutation: {
    login: isPublic,
    refreshToken: isPublic,
    logout: isPublic,
    exchangeExternalToken: isPublic,
    authenticateApiKey: isPublic,
    changePassword: isAuthenticated,
    createUser: hasPermission('users:write'),
    inviteUser: hasPermission('users:write'),
    removeMember: hasPermission('users:write'),
    createOrganization: isAuthenticated,
    createRole: hasPermission('roles:manage'),
    deleteRole: hasPermission('roles:manage'),
    assignRole: hasPermission('roles:manage'),
    revokeRole: hasPermission('roles:manage'),
    revokeSession: isAuthenticated,
    createApiKey: hasPermission('apikeys:manage'),
    revokeApiKey: isAuthenticated,
  },
};
