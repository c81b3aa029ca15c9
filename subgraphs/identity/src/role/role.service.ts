import type { EntityManager } from '@mikro-orm/core';
import { RoleAssignment } from './role-assignment.entity';
import { Role } from './role.entity';
import type { RoleRepository } from './role.repository';
import type { Membership } from '../organization/membership.entity';
import type { Organization } from '../organization/organization.entity';
import type { OrganizationRepository } from '../organization/organization.repository';
import type { User } from '../user/user.entity';
import {
  BUILT_IN_ROLES,
  BUILT_IN_ROLE_NAMES,
  isBuiltInRoleName,
  isPermission,
  permissionsOf,
} from '../permission/permission.catalog';
import type { AuditService } from '../audit/audit.service';
import type { Actor, ActorScope, MemberScope, RequestMeta } from '../shared/actor.types';
import {
  EntityNotFoundError,
  InvalidInputError,
  PermissionDeniedError,
  StateConflictError,
} from '../shared/identity.errors';
import type { RevocationService } from '../revocation/revocation.service';

/** Roles and permissions a member holds right now. */
export interface Grant {
  membership: Membership;
  roles: string[];
  permissions: string[];
}

const ROLE_NAME = /^[a-z][a-z0-9-]{1,62}$/;

/** Built-in and custom roles of organizations, and who holds them. */
export class RoleService {
  constructor(
    private readonly roles: RoleRepository,
    private readonly organizations: OrganizationRepository,
    private readonly audit: AuditService,
    private readonly revocations: RevocationService,
  ) {}

  /** Creates the built-in roles an organization lacks (every organization has all five). */
  async ensureBuiltInRoles(em: EntityManager, organization: Organization): Promise<void> {
    const existing = await this.roles.builtInRoles(em, organization.id);
    for (const name of BUILT_IN_ROLE_NAMES) {
      if (existing.some((r) => r.name === name)) continue;
      const { description, permissions } = BUILT_IN_ROLES[name];
      em.persist(
        em.create(Role, {
          organizationId: organization.id,
          name,
          description,
          permissions: [...permissions],
          builtIn: true,
        }),
      );
    }
  }

  /** Every role of the viewer's organization, built-ins first. */
  list({ em, viewer }: ActorScope): Promise<Role[]> {
    return this.roles.list(em, viewer.organizationId);
  }

  /** The roles of an organization, for its own members only (`Organization.roles`). */
  ofOrganization({ em, member }: MemberScope, organizationId: string): Promise<Role[]> {
    if (member.organizationId !== organizationId)
      throw new PermissionDeniedError('Resource belongs to another organization');
    return this.roles.list(em, organizationId);
  }

  /** A role for a federation reference: null outside the viewer's organization. */
  referenced({ em, viewer }: ActorScope, id: string): Promise<Role | null> {
    return this.roles.findInOrganization(em, viewer.organizationId, id);
  }

  /** The role called `name` in the organization. */
  async byName(em: EntityManager, organizationId: string, name: string): Promise<Role> {
    const role = await this.roles.findByName(em, organizationId, name);
    if (!role) throw new InvalidInputError('role', `Unknown role "${name}"`);
    return role;
  }

  /** The role with this id in the organization. */
  async byId(em: EntityManager, organizationId: string, id: string): Promise<Role> {
    const role = await this.roles.findInOrganization(em, organizationId, id);
    if (!role) throw new EntityNotFoundError('Role', id);
    return role;
  }

  /** A custom role. The actor cannot create a role stronger than its own permissions. */
  async create(
    { em, viewer: actor }: ActorScope,
    input: { name: string; description?: string | null; permissions: string[] },
    meta?: RequestMeta,
  ): Promise<Role> {
    if (!ROLE_NAME.test(input.name)) {
      throw new InvalidInputError(
        'name',
        'Role names are 2-63 characters: lower-case letters, digits and dashes, starting with a letter',
      );
    }
    if (isBuiltInRoleName(input.name)) throw new StateConflictError(`"${input.name}" is a built-in role`);
    const unknown = input.permissions.filter((p) => !isPermission(p));
    if (unknown.length) throw new InvalidInputError('permissions', `Unknown permissions: ${unknown.join(', ')}`);
    if (input.permissions.length === 0)
      throw new InvalidInputError('permissions', 'A role needs at least one permission');
    this.assertCanGrant(actor, input.permissions);
    if (await this.roles.nameTaken(em, actor.organizationId, input.name)) {
      throw new StateConflictError(`Role "${input.name}" already exists`);
    }
    const role = em.create(Role, {
      organizationId: actor.organizationId,
      name: input.name,
      description: input.description ?? '',
      permissions: [...new Set(input.permissions)].sort(),
    });
    em.persist(role);
    this.audit.record(em, {
      type: 'role.created',
      success: true,
      organizationId: actor.organizationId,
      actor,
      target: { type: 'Role', id: role.id },
      meta,
      details: { name: role.name, permissions: role.permissions },
    });
    await em.flush();
    return role;
  }

  /** Deletes a custom role and its assignments. */
  async delete({ em, viewer: actor }: ActorScope, roleId: string, meta?: RequestMeta): Promise<Role> {
    const role = await this.byId(em, actor.organizationId, roleId);
    if (role.builtIn) throw new StateConflictError('Built-in roles cannot be deleted');
    this.assertCanGrant(actor, permissionsOf(role));
    const holders = await this.roles.holderIds(em, role);
    await this.roles.deleteAssignmentsOfRole(em, role);
    em.remove(role);
    this.audit.record(em, {
      type: 'role.deleted',
      success: true,
      organizationId: actor.organizationId,
      actor,
      target: { type: 'Role', id: role.id },
      meta,
      details: { name: role.name },
    });
    await em.flush();
    await this.revocations.revokeMemberTokens(em, actor.organizationId, holders, 'role-deleted');
    return role;
  }

  /** Grants `roleName` to a member. Only owners grant `owner`; nobody grants more than they hold. */
  async assign(
    { em, viewer: actor }: ActorScope,
    userId: string,
    roleName: string,
    meta?: RequestMeta,
    source = 'manual',
  ): Promise<RoleAssignment> {
    const membership = await this.membership(em, actor.organizationId, userId);
    const role = await this.byName(em, actor.organizationId, roleName);
    this.assertCanGrant(actor, permissionsOf(role), role.name);
    const existing = await this.roles.findAssignment(em, membership, role);
    if (existing) return existing;
    const assignment = em.create(RoleAssignment, { membership, role, source, assignedById: actor.id });
    em.persist(assignment);
    this.audit.record(em, {
      type: 'role.assigned',
      success: true,
      organizationId: actor.organizationId,
      actor,
      target: { type: 'User', id: userId },
      meta,
      details: { role: role.name },
    });
    await em.flush();
    return assignment;
  }

  /** Takes `roleName` from a member; the last owner keeps the owner role. @returns false when the member did not hold it */
  async revoke(
    { em, viewer: actor }: ActorScope,
    userId: string,
    roleName: string,
    meta?: RequestMeta,
  ): Promise<boolean> {
    const membership = await this.membership(em, actor.organizationId, userId);
    const role = await this.byName(em, actor.organizationId, roleName);
    this.assertCanGrant(actor, permissionsOf(role), role.name);
    const assignment = await this.roles.findAssignment(em, membership, role);
    if (!assignment) return false;
    if (role.builtIn && role.name === 'owner' && (await this.roles.countHolders(em, role)) <= 1) {
      throw new StateConflictError('An organization keeps at least one owner');
    }
    em.remove(assignment);
    this.audit.record(em, {
      type: 'role.revoked',
      success: true,
      organizationId: actor.organizationId,
      actor,
      target: { type: 'User', id: userId },
      meta,
      details: { role: role.name },
    });
    await em.flush();
    await this.revocations.revokeMemberTokens(em, actor.organizationId, [userId], 'role-revoked');
    return true;
  }

  /** `assignRole`: grants the role and answers the member. */
  async assignRole(scope: ActorScope, userId: string, roleName: string, meta?: RequestMeta): Promise<User> {
    await this.assign(scope, userId, roleName, meta);
    return this.member(scope, userId);
  }

  /** `revokeRole`: takes the role and answers the member. */
  async revokeRole(scope: ActorScope, userId: string, roleName: string, meta?: RequestMeta): Promise<User> {
    await this.revoke(scope, userId, roleName, meta);
    return this.member(scope, userId);
  }

  /** The roles and permissions `userId` holds in the organization, or null when not a member. */
  async grantOf(em: EntityManager, userId: string, organizationId: string): Promise<Grant | null> {
    const membership = await this.organizations.findMembership(em, userId, organizationId);
    if (!membership) return null;
    const assignments = await this.roles.assignmentsOf(em, membership);
    const roles = assignments.map((a) => a.role.name).sort();
    const permissions = new Set<string>();
    for (const a of assignments) for (const p of permissionsOf(a.role)) permissions.add(p);
    return { membership, roles, permissions: [...permissions].sort() };
  }

  /** Role names `userId` holds in the organization the fields are answered for ([] for a non-member). */
  async memberRoles({ em, member }: MemberScope, userId: string): Promise<string[]> {
    return (await this.grantOf(em, userId, member.organizationId))?.roles ?? [];
  }

  /** Permissions `userId` holds in the organization the fields are answered for ([] for a non-member). */
  async memberPermissions({ em, member }: MemberScope, userId: string): Promise<string[]> {
    return (await this.grantOf(em, userId, member.organizationId))?.permissions ?? [];
  }

  /** Throws unless the actor holds every permission in `permissions` (and is an owner for `owner`). */
  assertCanGrant(actor: Actor, permissions: readonly string[], roleName?: string): void {
    if (roleName === 'owner' && !actor.roles.includes('owner')) {
      throw new PermissionDeniedError('Only an owner can grant or revoke the owner role');
    }
    const held = new Set(actor.permissions);
    const missing = permissions.filter((p) => !held.has(p));
    if (missing.length)
      throw new PermissionDeniedError(`You cannot grant permissions you do not hold: ${missing.join(', ')}`);
  }

  private async membership(em: EntityManager, organizationId: string, userId: string): Promise<Membership> {
    const membership = await this.organizations.findMembership(em, userId, organizationId);
    if (!membership) throw new EntityNotFoundError('User', userId);
    return membership;
  }

  private async member({ em, viewer }: ActorScope, userId: string): Promise<User> {
    const membership = await this.organizations.findMember(em, userId, viewer.organizationId);
    if (!membership) throw new EntityNotFoundError('User', userId);
    return membership.user;
  }
}
