import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { AuditEvent } from './audit-event.entity';

/** The security-event queries. Stateless: the caller's `em` is the unit of work. */
export class AuditRepository {
  /** Events matching every condition, newest first (ties by id, descending), at most `limit`. */
  newestFirst(em: EntityManager, conditions: FilterQuery<AuditEvent>[], limit: number): Promise<AuditEvent[]> {
    return em.find(AuditEvent, { $and: conditions }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit });
  }
}
