import type { EntityManager } from '@mikro-orm/core';
import { AuditEntry } from './audit-entry.entity';
import type { AuditAction } from './governance.enums';

/** Appends an audit entry; it is written with the caller's next flush. */
export function recordAudit(em: EntityManager, entry: { organizationId: string; datasetId?: string | null; actorId: string; action: AuditAction; details?: Record<string, unknown> }): AuditEntry {
  const e = em.create(AuditEntry, { organizationId: entry.organizationId, datasetId: entry.datasetId ?? null, actorId: entry.actorId, action: entry.action, details: entry.details ?? null });
  em.persist(e);
  return e;
}
