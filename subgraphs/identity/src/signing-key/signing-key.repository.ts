import type { EntityManager } from '@mikro-orm/core';
import { SigningKey } from './signing-key.entity';

/** The signing-key queries. Stateless: the caller's `em` is the unit of work. */
export class SigningKeyRepository {
  /** Every key, newest first. */
  all(em: EntityManager): Promise<SigningKey[]> {
    return em.find(SigningKey, {}, { orderBy: { createdAt: 'desc' } });
  }

  /** The keys not retired, newest first. */
  active(em: EntityManager): Promise<SigningKey[]> {
    return em.find(SigningKey, { status: 'active' }, { orderBy: { createdAt: 'desc' } });
  }
}
