import type { EntityManager } from '@mikro-orm/core';
import { Role } from './role.entity';
import { RoleAssignment } from './role-assignment.entity';
import { Membership } from '../organization/membership.entity';
import type { Organization } from '../organization/organization.entity';
import { BUILT_IN_ROLES, BUILT_IN_ROLE_NAMES, isBuiltInRoleName, isPermission } from '../permission/permission.catalog';
import type { AuditService } from '../audit/audit.service';
import type { Actor, RequestMeta } from '../shared/actor.types';
import { EntityNotFoundError, InvalidInputError, PermissionDeniedError, StateConflictError } from '../shared/identity.errors';
import type { RevocationService } from '../revocation/revocation.service';

/** Roles and permissions a member holds right now. */
export interface Grant {
  membership: Membership;
  roles: string[];
  permissions: string[];
}

const ROLE_NAME = /^[a-z][a-z0-9-]{1,62}$/;

/** The permissions a role confers: built-ins from code, custom roles from their row. */
export function permissionsOf(role: Pick<Role, 'name' | 'builtIn' | 'permissions'>): readonly string[] {
  return role.builtIn && isBuiltInRoleName(role.name) ? BUILT_IN_ROLES[role.name].permissions : role.permissions;
}

/** Built-in and custom roles of organizations, and who holds them. */
export class RoleService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly revocations: RevocationService,
  ) {}

  /** Creates the built-in roles an organization lacks (every organization has all five). */
  async ensureBuiltInRoles(organization: Organization): Promise<void> {
    const existing = await this.em.find(Role, { organization, builtIn: true });
    for (const name of BUILT_IN_ROLE_NAMES) {
      if (existing.some((r) => r.name === name)) continue;
      const { description, permissions } = BUILT_IN_ROLES[name];
      this.em.persist(this.em.create(Role, { organization, name, description, permissions: [...permissions], builtIn: true }));
    }
  }

  /** Every role of the organization, built-ins first. */
  list(organizationId: string): Promise<Role[]> {
    return this.em.find(Role, { organization: organizationId }, { orderBy: { builtIn: 'desc', name: 'asc' } });
  }

  /** The role called `name` in the organization. */
  async byName(organizationId: string, name: string): Promise<Role> {
    const role = await this.em.findOne(Role, { organization: organizationId, name });
    if (!role) throw new InvalidInputError('role', `Unknown role "${name}"`);
    return role;
  }

  /** The role with this id in the organization. */
  async byId(organizationId: string, id: string): Promise<Role> {
    const role = await this.em.findOne(Role, { id, organization: organizationId });
    if (!role) throw new EntityNotFoundError('Role', id);
    return role;
  }

  /** A custom role. The actor cannot create a role stronger than its own permissions. */
  async create(actor: Actor, input: { name: string; description?: string; permissions: string[] }, meta?: RequestMeta): Promise<Role> {
    if (!ROLE_NAME.test(input.name)) {
      throw new InvalidInputError('name', 'Role names are 2-63 characters: lower-case letters, digits and dashes, starting with a letter');
    }
    if (isBuiltInRoleName(input.name)) throw new StateConflictError(`"${input.name}" is a built-in role`);
    const unknown = input.permissions.filter((p) => !isPermission(p));
    if (unknown.length) throw new InvalidInputError('permissions', `Unknown permissions: ${unknown.join(', ')}`);
    if (input.permissions.length === 0) throw new InvalidInputError('permissions', 'A role needs at least one permission');
    this.assertCanGrant(actor, input.permissions);
    if (await this.em.count(Role, { organization: actor.organizationId, name: input.name })) {
      throw new StateConflictError(`Role "${input.name}" already exists`);
    }
    const role = this.em.create(Role, {
      organization: actor.organizationId,
      name: input.name,
      description: input.description ?? '',
      permissions: [...new Set(input.permissions)].sort(),
    });
    this.em.persist(role);
    this.audit.record({ type: 'role.created', success: true, organizationId: actor.organizationId, actor, target: { type: 'Role', id: role.id }, meta, details: { name: role.name, permissions: role.permissions } });
    await this.em.flush();
    return role;
  }

  /** Deletes a custom role and its assignments. */
  async delete(actor: Actor, roleId: string, meta?: RequestMeta): Promise<Role> {
    const role = await this.byId(actor.organizationId, roleId);
    if (role.builtIn) throw new StateConflictError('Built-in roles cannot be deleted');
    this.assertCanGrant(actor, permissionsOf(role));
    const holders = (await this.em.find(RoleAssignment, { role }, { populate: ['membership'] })).map((a) => a.membership.user.id);
    await this.em.nativeDelete(RoleAssignment, { role });
    this.em.remove(role);
    this.audit.record({ type: 'role.deleted', success: true, organizationId: actor.organizationId, actor, target: { type: 'Role', id: role.id }, meta, details: { name: role.name } });
    await this.em.flush();
    await this.revocations.revokeMemberTokens(actor.organizationId, holders, 'role-deleted');
    return role;
  }

  /** Grants `roleName` to a member. Only owners grant `owner`; nobody grants more than they hold. */
  async assign(actor: Actor, userId: string, roleName: string, meta?: RequestMeta, source = 'manual'): Promise<RoleAssignment> {
    const membership = await this.membership(actor.organizationId, userId);
    const role = await this.byName(actor.organizationId, roleName);
    this.assertCanGrant(actor, permissionsOf(role), role.name);
    const existing = await this.em.findOne(RoleAssignment, { membership, role });
    if (existing) return existing;
    const assignment = this.em.create(RoleAssignment, { membership, role, source, assignedById: actor.id });
    this.em.persist(assignment);
    this.audit.record({ type: 'role.assigned', success: true, organizationId: actor.organizationId, actor, target: { type: 'User', id: userId }, meta, details: { role: role.name } });
    await this.em.flush();
    return assignment;
  }

  /** Takes `roleName` from a member; the last owner keeps the owner role. */
  async revoke(actor: Actor, userId: string, roleName: string, meta?: RequestMeta): Promise<boolean> {
    const membership = await this.membership(actor.organizationId, userId);
    const role = await this.byName(actor.organizationId, roleName);
    this.assertCanGrant(actor, permissionsOf(role), role.name);
    const assignment = await this.em.findOne(RoleAssignment, { membership, role });
    if (!assignment) return false;
    if (role.builtIn && role.name === 'owner' && (await this.em.count(RoleAssignment, { role })) <= 1) {
      throw new StateConflictError('An organization keeps at least one owner');
    }
    this.em.remove(assignment);
    this.audit.record({ type: 'role.revoked', success: true, organizationId: actor.organizationId, actor, target: { type: 'User', id: userId }, meta, details: { role: role.name } });
    await this.em.flush();
    await this.revocations.revokeMemberTokens(actor.organizationId, [userId], 'role-revoked');
    return true;
  }

  /** The roles and permissions `userId` holds in the organization, or null when not a member. */
  async grantOf(userId: string, organizationId: string): Promise<Grant | null> {
    const membership = await this.em.findOne(Membership, { user: userId, organization: organizationId });
    if (!membership) return null;
    const assignments = await this.em.find(RoleAssignment, { membership }, { populate: ['role'] });
    const roles = assignments.map((a) => a.role.name).sort();
    const permissions = new Set<string>();
    for (const a of assignments) for (const p of permissionsOf(a.role)) permissions.add(p);
    return { membership, roles, permissions: [...permissions].sort() };
  }

  /** Throws unless the actor holds every permission in `permissions` (and is an owner for `owner`). */
  assertCanGrant(actor: Actor, permissions: readonly string[], roleName?: string): void {
    if (roleName === 'owner' && !actor.roles.includes('owner')) {
      throw new PermissionDeniedError('Only an owner can grant or revoke the owner role');
    }
    const held = new Set(actor.permissions);
    const missing = permissions.filter((p) => !held.has(p));
    if (missing.length) throw new PermissionDeniedError(`You cannot grant permissions you do not hold: ${missing.join(', ')}`);
  }

  private async membership(organizationId: string, userId: string): Promise<Membership> {
    const membership = await this.em.findOne(Membership, { user: userId, organization: organizationId });
    if (!membership) throw new EntityNotFoundError('User', userId);
    return membership;
  }
}
