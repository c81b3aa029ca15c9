import type { EntityManager } from '@mikro-orm/core';
import type { User } from '../user/user.entity';
import { Membership } from './membership.entity';
import { Organization } from './organization.entity';

/** The organization aggregate's queries: organizations and their memberships. Stateless: the caller's `em` is the unit of work. */
export class OrganizationRepository {
  findById(em: EntityManager, id: string): Promise<Organization | null> {
    return em.findOne(Organization, { id });
  }

  /** The organization with this id; MikroORM's NotFoundError (NOT_FOUND) when there is none. */
  getById(em: EntityManager, id: string): Promise<Organization> {
    return em.findOneOrFail(Organization, { id });
  }

  findBySlug(em: EntityManager, slug: string): Promise<Organization | null> {
    return em.findOne(Organization, { slug });
  }

  async exists(em: EntityManager, id: string): Promise<boolean> {
    return (await em.count(Organization, { id })) > 0;
  }

  async slugTaken(em: EntityManager, slug: string): Promise<boolean> {
    return (await em.count(Organization, { slug })) > 0;
  }

  /** True once any organization exists (the first run has happened). */
  async anyExists(em: EntityManager): Promise<boolean> {
    return (await em.count(Organization, {})) > 0;
  }

  findMembership(em: EntityManager, userId: string, organizationId: string): Promise<Membership | null> {
    return em.findOne(Membership, { user: userId, organizationId });
  }

  /** The membership with its user loaded: how a user is read inside one organization. */
  findMember(em: EntityManager, userId: string, organizationId: string): Promise<Membership | null> {
    return em.findOne(Membership, { user: userId, organizationId }, { populate: ['user'] });
  }

  async isMember(em: EntityManager, user: User | string, organizationId: string): Promise<boolean> {
    return (await em.count(Membership, { user, organizationId })) > 0;
  }

  /** Ids of the organizations `userId` belongs to, oldest membership first. */
  async organizationIdsOf(em: EntityManager, userId: string): Promise<string[]> {
    const memberships = await em.find(Membership, { user: userId }, { orderBy: { createdAt: 'asc' } });
    return memberships.map((m) => m.organizationId);
  }

  /** The organizations `userId` belongs to, oldest membership first. */
  async organizationsOf(em: EntityManager, userId: string): Promise<Organization[]> {
    const ids = await this.organizationIdsOf(em, userId);
    if (!ids.length) return [];
    const byId = new Map((await em.find(Organization, { id: { $in: ids } })).map((o) => [o.id, o]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Members of an organization, oldest first, with the total. */
  async membersPage(
    em: EntityManager,
    organizationId: string,
    limit: number,
    offset: number,
  ): Promise<{ users: User[]; total: number }> {
    const [rows, total] = await em.findAndCount(
      Membership,
      { organizationId },
      { populate: ['user'], orderBy: { createdAt: 'asc', id: 'asc' }, limit, offset },
    );
    return { users: rows.map((m) => m.user), total };
  }
}
