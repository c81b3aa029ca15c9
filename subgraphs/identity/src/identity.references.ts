import { optionalRequestScope } from '../../../lib/src/kit/request-scope';
import type { IdentityContext } from './context';
import type { Organization } from './organization/organization.entity';
import type { Role } from './role/role.entity';
import type { ApiKey } from './api-key/api-key.entity';
import type { Session } from './session/session.entity';
import type { User } from './user/user.entity';

// Federation entity lookups (`_entities`). Each answers only inside the viewer's organization and
// returns null otherwise, so another subgraph can never use a reference to read across tenants.

/** A User that is a member of the viewer's organization. */
export function resolveUserReference(ref: { id: string }, ctx: IdentityContext): Promise<User | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.users.referenced(scope, ref.id);
}

/** The viewer's own Organization. */
export function resolveOrganizationReference(
  ref: { id: string },
  ctx: IdentityContext,
): Promise<Organization | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.organizations.referenced(scope, ref.id);
}

/** A Role of the viewer's organization. */
export function resolveRoleReference(ref: { id: string }, ctx: IdentityContext): Promise<Role | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.roles.referenced(scope, ref.id);
}

/** An ApiKey of the viewer's organization: the viewer's own, or any with apikeys:manage. */
export function resolveApiKeyReference(ref: { id: string }, ctx: IdentityContext): Promise<ApiKey | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.apiKeys.referenced(scope, ref.id);
}

/** A Session of the viewer's organization: the viewer's own, or any with users:write. */
export function resolveSessionReference(ref: { id: string }, ctx: IdentityContext): Promise<Session | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.sessions.referenced(scope, ref.id);
}
