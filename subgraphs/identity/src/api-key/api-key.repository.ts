import type { EntityManager } from '@mikro-orm/core';
import { ApiKey } from './api-key.entity';

/** The API key queries. Stateless: the caller's `em` is the unit of work. */
export class ApiKeyRepository {
  findByPrefix(em: EntityManager, prefix: string): Promise<ApiKey | null> {
    return em.findOne(ApiKey, { prefix });
  }

  findInOrganization(em: EntityManager, organizationId: string, id: string): Promise<ApiKey | null> {
    return em.findOne(ApiKey, { id, organizationId });
  }

  /** Keys of the organization, optionally of one user, newest first. */
  list(em: EntityManager, organizationId: string, userId?: string | null): Promise<ApiKey[]> {
    return em.find(ApiKey, userId ? { organizationId, user: userId } : { organizationId }, {
      orderBy: { createdAt: 'desc', id: 'asc' },
    });
  }

  /** Ids of the keys of a user in the organization that are not revoked. */
  async unrevokedIds(em: EntityManager, userId: string, organizationId: string): Promise<string[]> {
    return (await em.find(ApiKey, { user: userId, organizationId, revokedAt: null }, { fields: ['id'] })).map(
      (k) => k.id,
    );
  }

  /** Marks keys revoked that are not yet, bypassing the unit of work. @returns how many */
  revokeMany(em: EntityManager, ids: string[], at: Date): Promise<number> {
    return em.nativeUpdate(ApiKey, { id: { $in: ids }, revokedAt: null }, { revokedAt: at });
  }
}
