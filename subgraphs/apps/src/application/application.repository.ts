import type { EntityManager } from '@mikro-orm/core';
import { Application } from './application.entity';

/** The application aggregate's queries. Stateless: the caller's `em` is the unit of work. */
export class ApplicationRepository {
  findById(em: EntityManager, id: string): Promise<Application | null> {
    return em.findOne(Application, { id });
  }

  findByName(em: EntityManager, organizationId: string, name: string): Promise<Application | null> {
    return em.findOne(Application, { organizationId, name });
  }

  /** The organization's applications by name. */
  listInOrganization(em: EntityManager, organizationId: string): Promise<Application[]> {
    return em.find(Application, { organizationId }, { orderBy: { name: 'asc' } });
  }
}
