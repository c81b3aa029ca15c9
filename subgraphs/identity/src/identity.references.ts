import type { IdentityContext } from './context';
import { Membership } from './organization/membership.entity';
import { Organization } from './organization/organization.entity';
import { Role } from './role/role.entity';
import { ApiKey } from './api-key/api-key.entity';
import { Session } from './session/session.entity';
import type { User } from './user/user.entity';
import { viewerCan } from '../../../lib/src/index';

// Federation entity lookups (`_entities`). Each answers only inside the viewer's organization and
// returns null otherwise, so another subgraph can never use a reference to read across tenants.

/** A User that is a member of the viewer's organization. */
export async function resolveUserReference(ref: { id: string }, ctx: IdentityContext): Promise<User | null> {
  if (!ctx.viewer) return null;
  const membership = await ctx.em.findOne(Membership, { user: ref.id, organization: ctx.viewer.organizationId }, { populate: ['user'] });
  return membership?.user ?? null;
}

/** The viewer's own Organization. */
export async function resolveOrganizationReference(ref: { id: string }, ctx: IdentityContext): Promise<Organization | null> {
  if (!ctx.viewer || ref.id !== ctx.viewer.organizationId) return null;
  return ctx.em.findOne(Organization, { id: ref.id });
}

/** A Role of the viewer's organization. */
export async function resolveRoleReference(ref: { id: string }, ctx: IdentityContext): Promise<Role | null> {
  if (!ctx.viewer) return null;
  return ctx.em.findOne(Role, { id: ref.id, organization: ctx.viewer.organizationId });
}

/** An ApiKey of the viewer's organization: the viewer's own, or any with apikeys:manage. */
export async function resolveApiKeyReference(ref: { id: string }, ctx: IdentityContext): Promise<ApiKey | null> {
  if (!ctx.viewer) return null;
  const key = await ctx.em.findOne(ApiKey, { id: ref.id, organization: ctx.viewer.organizationId });
  return key && (key.user.id === ctx.viewer.id || viewerCan(ctx.viewer, 'apikeys:manage')) ? key : null;
}

/** A Session of the viewer's organization: the viewer's own, or any with users:write. */
export async function resolveSessionReference(ref: { id: string }, ctx: IdentityContext): Promise<Session | null> {
  if (!ctx.viewer) return null;
  const session = await ctx.em.findOne(Session, { id: ref.id, organization: ctx.viewer.organizationId });
  return session && (session.user.id === ctx.viewer.id || viewerCan(ctx.viewer, 'users:write')) ? session : null;
}
