import type { EntityData, EntityManager } from '@mikro-orm/core';
import type { ModelSignature } from '../runtime/model-signature';
import { CachedModelVersion } from './cached-model-version.entity';

/** What the service keeps of model versions it was asked to serve. Stateless. */
export class CachedModelVersionRepository {
  findById(em: EntityManager, id: string): Promise<CachedModelVersion | null> {
    return em.findOne(CachedModelVersion, { id });
  }

  /** Inserts or refreshes a version's description. */
  save(em: EntityManager, data: EntityData<CachedModelVersion>): Promise<CachedModelVersion> {
    return em.upsert(CachedModelVersion, data);
  }

  /** Records the signature the loaded session serves, bypassing the unit of work. */
  async saveServedSignature(em: EntityManager, id: string, signature: ModelSignature | unknown): Promise<void> {
    await em.nativeUpdate(CachedModelVersion, { id }, { servedSignature: signature as ModelSignature });
  }
}
