import type { EntityManager } from '@mikro-orm/core';
import type { Membership } from '../organization/membership.entity';
import { RoleAssignment } from './role-assignment.entity';
import { Role } from './role.entity';

/** The role aggregate's queries: roles of organizations and who holds them. Stateless: the caller's `em` is the unit of work. */
export class RoleRepository {
  builtInRoles(em: EntityManager, organizationId: string): Promise<Role[]> {
    return em.find(Role, { organizationId, builtIn: true });
  }

  /** Every role of the organization, built-ins first. */
  list(em: EntityManager, organizationId: string): Promise<Role[]> {
    return em.find(Role, { organizationId }, { orderBy: { builtIn: 'desc', name: 'asc' } });
  }

  findByName(em: EntityManager, organizationId: string, name: string): Promise<Role | null> {
    return em.findOne(Role, { organizationId, name });
  }

  /** The built-in role called `name`; MikroORM's NotFoundError when the organization lacks it. */
  getBuiltIn(em: EntityManager, organizationId: string, name: string): Promise<Role> {
    return em.findOneOrFail(Role, { organizationId, name, builtIn: true });
  }

  /** The role called `name`; MikroORM's NotFoundError when there is none. */
  getByName(em: EntityManager, organizationId: string, name: string): Promise<Role> {
    return em.findOneOrFail(Role, { organizationId, name });
  }

  findByNames(em: EntityManager, organizationId: string, names: string[]): Promise<Role[]> {
    return em.find(Role, { organizationId, name: { $in: names } });
  }

  findInOrganization(em: EntityManager, organizationId: string, id: string): Promise<Role | null> {
    return em.findOne(Role, { id, organizationId });
  }

  async nameTaken(em: EntityManager, organizationId: string, name: string): Promise<boolean> {
    return (await em.count(Role, { organizationId, name })) > 0;
  }

  findAssignment(em: EntityManager, membership: Membership, role: Role): Promise<RoleAssignment | null> {
    return em.findOne(RoleAssignment, { membership, role });
  }

  async isAssigned(em: EntityManager, membership: Membership, role: Role): Promise<boolean> {
    return (await em.count(RoleAssignment, { membership, role })) > 0;
  }

  countHolders(em: EntityManager, role: Role): Promise<number> {
    return em.count(RoleAssignment, { role });
  }

  /** Ids of the users holding `role`. */
  async holderIds(em: EntityManager, role: Role): Promise<string[]> {
    return (await em.find(RoleAssignment, { role }, { populate: ['membership'] })).map((a) => a.membership.user.id);
  }

  /** The assignments of a membership with their roles, optionally only those from `source`. */
  assignmentsOf(em: EntityManager, membership: Membership, source?: string): Promise<RoleAssignment[]> {
    return em.find(RoleAssignment, source === undefined ? { membership } : { membership, source }, {
      populate: ['role'],
    });
  }

  /** Deletes every assignment of a role, bypassing the unit of work. */
  async deleteAssignmentsOfRole(em: EntityManager, role: Role): Promise<void> {
    await em.nativeDelete(RoleAssignment, { role });
  }

  /** Deletes every assignment of a membership, bypassing the unit of work. */
  async deleteAssignmentsOfMembership(em: EntityManager, membership: Membership): Promise<void> {
    await em.nativeDelete(RoleAssignment, { membership });
  }
}
