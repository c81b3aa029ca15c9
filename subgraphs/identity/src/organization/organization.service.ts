import type { EntityManager } from '@mikro-orm/core';
import { Organization } from './organization.entity';
import { Membership } from './membership.entity';
import { RoleAssignment } from '../role/role-assignment.entity';
import { Role } from '../role/role.entity';
import { permissionsOf, type RoleService } from '../role/role.service';
import type { AuditService } from '../audit/audit.service';
import type { User } from '../user/user.entity';
import type { Actor, RequestMeta } from '../shared/actor.types';
import { EntityNotFoundError, InvalidInputError, StateConflictError } from '../shared/identity.errors';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Organizations and their memberships. */
export class OrganizationService {
  constructor(
    private readonly em: EntityManager,
    private readonly roles: RoleService,
    private readonly audit: AuditService,
  ) {}

  /**
   * A new organization with its built-in roles; `owner` (when given) becomes its first member with
   * the owner role.
   */
  async create(input: { slug: string; name: string }, owner?: User, actor?: Actor | null, meta?: RequestMeta): Promise<Organization> {
    const slug = input.slug.trim().toLowerCase();
    if (!SLUG.test(slug)) {
      throw new InvalidInputError('slug', 'Slugs are 1-63 lower-case letters, digits and dashes, not starting or ending with a dash');
    }
    const name = input.name.trim();
    if (!name || name.length > 200) throw new InvalidInputError('name', 'Name must be 1-200 characters');
    if (await this.em.count(Organization, { slug })) throw new StateConflictError(`Organization "${slug}" already exists`);
    const organization = this.em.create(Organization, { slug, name });
    this.em.persist(organization);
    await this.roles.ensureBuiltInRoles(organization);
    if (owner) {
      const membership = this.em.create(Membership, { user: owner, organization });
      this.em.persist(membership);
      await this.em.flush();
      const ownerRole = await this.em.findOneOrFail(Role, { organization, name: 'owner' });
      this.em.persist(this.em.create(RoleAssignment, { membership, role: ownerRole, assignedById: actor?.id ?? null }));
    }
    this.audit.record({ type: 'organization.created', success: true, organizationId: organization.id, actor, target: { type: 'Organization', id: organization.id }, meta, details: { slug } });
    await this.em.flush();
    return organization;
  }

  /** The organization with this id. */
  async byId(id: string): Promise<Organization> {
    const organization = await this.em.findOne(Organization, { id });
    if (!organization) throw new EntityNotFoundError('Organization', id);
    return organization;
  }

  /** The organization with this slug, or null. */
  bySlug(slug: string): Promise<Organization | null> {
    return this.em.findOne(Organization, { slug });
  }

  /** The organizations `userId` belongs to, oldest membership first. */
  async ofUser(userId: string): Promise<Organization[]> {
    const memberships = await this.em.find(Membership, { user: userId }, { populate: ['organization'], orderBy: { createdAt: 'asc' } });
    return memberships.map((m) => m.organization);
  }

  /** Adds `user` to the organization with `roleNames` (checked against what the actor may grant). */
  async addMember(actor: Actor, user: User, roleNames: string[], meta?: RequestMeta): Promise<Membership> {
    if (await this.em.count(Membership, { user, organization: actor.organizationId })) {
      throw new StateConflictError('The user is already a member of this organization');
    }
    await this.checkGrantable(actor, roleNames);
    const membership = this.em.create(Membership, { user, organization: actor.organizationId });
    this.em.persist(membership);
    this.audit.record({ type: 'member.added', success: true, organizationId: actor.organizationId, actor, target: { type: 'User', id: user.id }, meta, details: { roles: roleNames } });
    await this.em.flush();
    for (const name of roleNames) await this.roles.assign(actor, user.id, name, meta);
    return membership;
  }

  /** Throws unless every role exists and the actor may grant it. */
  async checkGrantable(actor: Actor, roleNames: string[]): Promise<void> {
    for (const name of roleNames) {
      const role = await this.roles.byName(actor.organizationId, name);
      this.roles.assertCanGrant(actor, permissionsOf(role), role.name);
    }
  }

  /** Removes a member with its role assignments; the last owner cannot leave. */
  async removeMember(actor: Actor, userId: string, meta?: RequestMeta): Promise<void> {
    const membership = await this.em.findOne(Membership, { user: userId, organization: actor.organizationId });
    if (!membership) throw new EntityNotFoundError('User', userId);
    const grant = await this.roles.grantOf(userId, actor.organizationId);
    if (grant?.roles.includes('owner')) {
      const ownerRole = await this.em.findOneOrFail(Role, { organization: actor.organizationId, name: 'owner', builtIn: true });
      if ((await this.em.count(RoleAssignment, { role: ownerRole })) <= 1) throw new StateConflictError('An organization keeps at least one owner');
    }
    if (grant) this.roles.assertCanGrant(actor, grant.permissions, grant.roles.includes('owner') ? 'owner' : undefined);
    await this.em.nativeDelete(RoleAssignment, { membership });
    this.em.remove(membership);
    this.audit.record({ type: 'member.removed', success: true, organizationId: actor.organizationId, actor, target: { type: 'User', id: userId }, meta });
    await this.em.flush();
  }

  /** Members of the organization, oldest first, with cursor-less paging by offset. */
  async members(organizationId: string, limit: number, offset: number): Promise<{ users: User[]; total: number }> {
    const [rows, total] = await this.em.findAndCount(
      Membership,
      { organization: organizationId },
      { populate: ['user'], orderBy: { createdAt: 'asc', id: 'asc' }, limit, offset },
    );
    return { users: rows.map((m) => m.user), total };
  }
}
