import type { EntityManager } from '@mikro-orm/core';
import { IdSequenceEntity, RegistrySettingsEntity } from './registry-settings.entity';

/** The registry's own rows: an organization's settings and the global id sequence. Stateless. */
export class RegistryRepository {
  settingsOf(em: EntityManager, organizationId: string): Promise<RegistrySettingsEntity | null> {
    return em.findOne(RegistrySettingsEntity, { organizationId });
  }

  sequence(em: EntityManager, name: string): Promise<IdSequenceEntity | null> {
    return em.findOne(IdSequenceEntity, { name });
  }
}
