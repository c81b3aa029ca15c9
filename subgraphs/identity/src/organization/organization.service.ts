import type { EntityManager } from '@mikro-orm/core';
import { Organization } from './organization.entity';
import { Membership } from './membership.entity';
import type { OrganizationRepository } from './organization.repository';
import { assertMayCreateOrganization } from './organization-creation.policy';
import { RoleAssignment } from '../role/role-assignment.entity';
import type { RoleRepository } from '../role/role.repository';
import type { RoleService } from '../role/role.service';
import { permissionsOf } from '../permission/permission.catalog';
import type { AuditService } from '../audit/audit.service';
import type { SessionService } from '../session/session.service';
import type { ApiKeyService } from '../api-key/api-key.service';
import type { User } from '../user/user.entity';
import type { UserRepository } from '../user/user.repository';
import type { Actor, ActorScope, CallerScope, MemberScope, RequestMeta } from '../shared/actor.types';
import type { OrganizationCreationPolicy } from '../shared/identity.settings';
import {
  EntityNotFoundError,
  InvalidInputError,
  PermissionDeniedError,
  StateConflictError,
} from '../shared/identity.errors';
import { AuthenticationError } from '../../../../lib/src/index';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Members listed per page at most. */
const MAX_MEMBERS_PAGE = 200;

/** Organizations and their memberships. */
export class OrganizationService {
  constructor(
    private readonly deps: {
      organizations: OrganizationRepository;
      users: UserRepository;
      roles: RoleService;
      roleRepository: RoleRepository;
      sessions: SessionService;
      apiKeys: ApiKeyService;
      audit: AuditService;
      /** Who may call createOrganization (`AIC_ORGANIZATION_CREATION`). */
      creationPolicy: OrganizationCreationPolicy;
    },
  ) {}

  /**
   * A new organization with its built-in roles; `owner` (when given) becomes its first member with
   * the owner role. The first run calls it without an actor.
   */
  async create(
    em: EntityManager,
    input: { slug: string; name: string },
    owner?: User,
    actor?: Actor | null,
    meta?: RequestMeta,
  ): Promise<Organization> {
    const slug = input.slug.trim().toLowerCase();
    if (!SLUG.test(slug)) {
      throw new InvalidInputError(
        'slug',
        'Slugs are 1-63 lower-case letters, digits and dashes, not starting or ending with a dash',
      );
    }
    const name = input.name.trim();
    if (!name || name.length > 200) throw new InvalidInputError('name', 'Name must be 1-200 characters');
    if (await this.deps.organizations.slugTaken(em, slug))
      throw new StateConflictError(`Organization "${slug}" already exists`);
    const organization = em.create(Organization, { slug, name });
    em.persist(organization);
    await this.deps.roles.ensureBuiltInRoles(em, organization);
    if (owner) {
      const membership = em.create(Membership, { user: owner, organizationId: organization.id });
      em.persist(membership);
      await em.flush();
      const ownerRole = await this.deps.roleRepository.getByName(em, organization.id, 'owner');
      em.persist(em.create(RoleAssignment, { membership, role: ownerRole, assignedById: actor?.id ?? null }));
    }
    this.deps.audit.record(em, {
      type: 'organization.created',
      success: true,
      organizationId: organization.id,
      actor,
      target: { type: 'Organization', id: organization.id },
      meta,
      details: { slug },
    });
    await em.flush();
    return organization;
  }

  /** `createOrganization`: a new organization owned by the signed-in user, if the platform's policy lets them found one. */
  async createAsOwner(
    scope: ActorScope,
    input: { slug: string; name: string },
    meta?: RequestMeta,
  ): Promise<Organization> {
    const { em, viewer } = scope;
    if (viewer.kind !== 'user') throw new PermissionDeniedError('Only users create organizations');
    assertMayCreateOrganization(this.deps.creationPolicy, viewer);
    const owner = await this.deps.users.getById(em, viewer.id);
    return this.create(em, input, owner, viewer, meta);
  }

  /** The organization with this id. */
  async byId(em: EntityManager, id: string): Promise<Organization> {
    const organization = await this.deps.organizations.findById(em, id);
    if (!organization) throw new EntityNotFoundError('Organization', id);
    return organization;
  }

  /** The organization the viewer's token is scoped to. */
  current({ em, viewer }: ActorScope): Promise<Organization> {
    return this.byId(em, viewer.organizationId);
  }

  /** An organization for a federation reference: the viewer's own, null for any other. */
  async referenced({ em, viewer }: ActorScope, id: string): Promise<Organization | null> {
    return id === viewer.organizationId ? this.deps.organizations.findById(em, id) : null;
  }

  /** The organization with this slug, or null. */
  bySlug(em: EntityManager, slug: string): Promise<Organization | null> {
    return this.deps.organizations.findBySlug(em, slug);
  }

  /** The organizations `userId` belongs to, oldest membership first. */
  ofUser(em: EntityManager, userId: string): Promise<Organization[]> {
    return this.deps.organizations.organizationsOf(em, userId);
  }

  /** The organizations the viewer belongs to. */
  mine({ em, viewer }: ActorScope): Promise<Organization[]> {
    return this.ofUser(em, viewer.id);
  }

  /** `User.organizations`: all of them for the member themself; of another user, only the organization they share. */
  async visibleOf({ em, member }: MemberScope, userId: string): Promise<Organization[]> {
    const all = await this.ofUser(em, userId);
    return userId === member.id ? all : all.filter((o) => o.id === member.organizationId);
  }

  /** Adds `user` to the actor's organization with `roleNames` (checked against what the actor may grant). */
  async addMember(scope: ActorScope, user: User, roleNames: string[], meta?: RequestMeta): Promise<Membership> {
    const { em, viewer: actor } = scope;
    if (await this.deps.organizations.isMember(em, user, actor.organizationId)) {
      throw new StateConflictError('The user is already a member of this organization');
    }
    await this.checkGrantable(scope, roleNames);
    const membership = em.create(Membership, { user, organizationId: actor.organizationId });
    em.persist(membership);
    this.deps.audit.record(em, {
      type: 'member.added',
      success: true,
      organizationId: actor.organizationId,
      actor,
      target: { type: 'User', id: user.id },
      meta,
      details: { roles: roleNames },
    });
    await em.flush();
    for (const name of roleNames) await this.deps.roles.assign(scope, user.id, name, meta);
    return membership;
  }

  /** Throws unless every role exists and the actor may grant it. */
  async checkGrantable({ em, viewer: actor }: ActorScope, roleNames: string[]): Promise<void> {
    for (const name of roleNames) {
      const role = await this.deps.roles.byName(em, actor.organizationId, name);
      this.deps.roles.assertCanGrant(actor, permissionsOf(role), role.name);
    }
  }

  /**
   * Removes a member with its role assignments; the last owner cannot leave. Its sessions in the
   * organization end and its API keys there are revoked for good (they must not revive on re-invitation).
   */
  async removeMember({ em, viewer: actor }: ActorScope, userId: string, meta?: RequestMeta): Promise<boolean> {
    const membership = await this.deps.organizations.findMembership(em, userId, actor.organizationId);
    if (!membership) throw new EntityNotFoundError('User', userId);
    const grant = await this.deps.roles.grantOf(em, userId, actor.organizationId);
    if (grant?.roles.includes('owner')) {
      const ownerRole = await this.deps.roleRepository.getBuiltIn(em, actor.organizationId, 'owner');
      if ((await this.deps.roleRepository.countHolders(em, ownerRole)) <= 1)
        throw new StateConflictError('An organization keeps at least one owner');
    }
    if (grant)
      this.deps.roles.assertCanGrant(actor, grant.permissions, grant.roles.includes('owner') ? 'owner' : undefined);
    await this.deps.roleRepository.deleteAssignmentsOfMembership(em, membership);
    em.remove(membership);
    this.deps.audit.record(em, {
      type: 'member.removed',
      success: true,
      organizationId: actor.organizationId,
      actor,
      target: { type: 'User', id: userId },
      meta,
    });
    await em.flush();
    await this.deps.sessions.revokeAllOf(em, userId, actor.organizationId, 'membership-removed');
    await this.deps.apiKeys.revokeAllOf(em, userId, actor.organizationId);
    return true;
  }

  /** `users`: members of the viewer's organization, oldest first. */
  async members({ em, viewer }: ActorScope, first: number, offset: number): Promise<User[]> {
    return (await this.page(em, viewer.organizationId, first, offset)).users;
  }

  /** `Organization.members`: only for a viewer of that organization holding users:read. */
  async membersOf({ em, viewer }: CallerScope, organizationId: string, first: number, offset: number): Promise<User[]> {
    if (!viewer) throw new AuthenticationError();
    if (viewer.organizationId !== organizationId)
      throw new PermissionDeniedError('Resource belongs to another organization');
    if (!viewer.permissions.includes('users:read')) throw new PermissionDeniedError('Missing permission users:read');
    return (await this.page(em, organizationId, first, offset)).users;
  }

  /** Members of the organization, oldest first, with cursor-less paging by offset (clamped to 1-200 per page). */
  private page(
    em: EntityManager,
    organizationId: string,
    first: number,
    offset: number,
  ): Promise<{ users: User[]; total: number }> {
    return this.deps.organizations.membersPage(
      em,
      organizationId,
      Math.min(Math.max(first, 1), MAX_MEMBERS_PAGE),
      Math.max(offset, 0),
    );
  }
}
