import type { EntityManager } from '@mikro-orm/core';
import { Endpoint } from './endpoint.entity';

/** The endpoint aggregate's queries. Stateless: the caller's `em` is the unit of work. */
export class EndpointRepository {
  /** An endpoint by id, in any organization: callers check the organization. */
  findById(em: EntityManager, id: string): Promise<Endpoint | null> {
    return em.findOne(Endpoint, { id });
  }

  findByName(em: EntityManager, organizationId: string, name: string): Promise<Endpoint | null> {
    return em.findOne(Endpoint, { organizationId, name });
  }

  findInOrganization(em: EntityManager, organizationId: string, id: string): Promise<Endpoint | null> {
    return em.findOne(Endpoint, { id, organizationId });
  }

  async nameTaken(em: EntityManager, organizationId: string, name: string): Promise<boolean> {
    return (await em.count(Endpoint, { organizationId, name })) > 0;
  }

  /** An organization's endpoints by name. */
  listInOrganization(em: EntityManager, organizationId: string): Promise<Endpoint[]> {
    return em.find(Endpoint, { organizationId }, { orderBy: { name: 'asc' } });
  }

  /** Every endpoint of every organization (warm-up at boot). */
  all(em: EntityManager): Promise<Endpoint[]> {
    return em.find(Endpoint, {});
  }
}
