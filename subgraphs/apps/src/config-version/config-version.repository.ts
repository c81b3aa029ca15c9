import type { EntityManager } from '@mikro-orm/core';
import { ConfigVersion } from './config-version.entity';

/** The config version aggregate's queries. Stateless: the caller's `em` is the unit of work. */
export class ConfigVersionRepository {
  findById(em: EntityManager, id: string): Promise<ConfigVersion | null> {
    return em.findOne(ConfigVersion, { id });
  }

  /** The version `id` when it belongs to the application, null otherwise. */
  findInApplication(em: EntityManager, applicationId: string, id: string): Promise<ConfigVersion | null> {
    return em.findOne(ConfigVersion, { id, applicationId });
  }

  /** The application's version numbered `version`. */
  findNumbered(em: EntityManager, applicationId: string, version: number): Promise<ConfigVersion | null> {
    return em.findOne(ConfigVersion, { applicationId, version });
  }

  /** The application's highest-numbered version. */
  latest(em: EntityManager, applicationId: string): Promise<ConfigVersion | null> {
    return em.findOne(ConfigVersion, { applicationId }, { orderBy: { version: 'desc' } });
  }

  /** The application's versions, newest first. */
  listForApplication(em: EntityManager, applicationId: string): Promise<ConfigVersion[]> {
    return em.find(ConfigVersion, { applicationId }, { orderBy: { version: 'desc' } });
  }
}
