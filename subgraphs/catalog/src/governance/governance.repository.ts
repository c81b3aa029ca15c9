import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import type { Viewer } from '../../../../lib/src/index';
import { AccessGrant } from './access-grant.entity';
import { AccessRequest } from './access-request.entity';
import { AuditEntry } from './audit-entry.entity';
import type { AuditAction } from './governance.enums';
import { AccessRequestStatus, GrantSubjectType } from './governance.enums';

/** An audit entry to append. */
export interface AuditRecord {
  organizationId: string;
  datasetId?: string | null;
  actorId: string;
  action: AuditAction;
  details?: Record<string, unknown>;
}

/** Grants that name the viewer: as a user, or through one of its roles. */
function grantsNaming(viewer: Viewer): FilterQuery<AccessGrant>[] {
  return [
    { subjectType: GrantSubjectType.USER, subjectId: viewer.id },
    ...(viewer.roles.length ? [{ subjectType: GrantSubjectType.ROLE, subjectId: { $in: viewer.roles } }] : []),
  ];
}

/** The governance queries: access grants, access requests and the audit trail. Stateless: the caller's `em` is the unit of work. */
export class GovernanceRepository {
  /** The grants on one dataset that name the viewer. */
  grantsFor(em: EntityManager, datasetId: string, viewer: Viewer): Promise<AccessGrant[]> {
    return em.find(AccessGrant, { datasetId, $or: grantsNaming(viewer) });
  }

  /** Ids of the datasets of the viewer's organization that a grant names the viewer on. */
  async grantedDatasetIds(em: EntityManager, viewer: Viewer): Promise<string[]> {
    const grants = await em.find(
      AccessGrant,
      { organizationId: viewer.organizationId, $or: grantsNaming(viewer) },
      { fields: ['datasetId'] },
    );
    return [...new Set(grants.map((g) => g.datasetId))];
  }

  /** Every grant on a dataset, oldest first. */
  grantsOn(em: EntityManager, datasetId: string): Promise<AccessGrant[]> {
    return em.find(AccessGrant, { datasetId }, { orderBy: { createdAt: 'asc' } });
  }

  findGrant(em: EntityManager, organizationId: string, id: string): Promise<AccessGrant | null> {
    return em.findOne(AccessGrant, { id, organizationId });
  }

  findGrantOf(
    em: EntityManager,
    datasetId: string,
    subjectType: GrantSubjectType,
    subjectId: string,
  ): Promise<AccessGrant | null> {
    return em.findOne(AccessGrant, { datasetId, subjectType, subjectId });
  }

  findRequest(em: EntityManager, organizationId: string, id: string): Promise<AccessRequest | null> {
    return em.findOne(AccessRequest, { id, organizationId });
  }

  async hasPendingRequest(em: EntityManager, datasetId: string, requesterId: string): Promise<boolean> {
    return (await em.count(AccessRequest, { datasetId, requesterId, status: AccessRequestStatus.PENDING })) > 0;
  }

  /** An organization's requests (of one status when given), newest first, at most `limit`. */
  requestsIn(
    em: EntityManager,
    organizationId: string,
    status: AccessRequestStatus | undefined,
    limit: number,
  ): Promise<AccessRequest[]> {
    return em.find(
      AccessRequest,
      { organizationId, ...(status ? { status } : {}) },
      { orderBy: { createdAt: 'desc' }, limit },
    );
  }

  /** Appends an audit entry; it is written with the caller's next flush. */
  recordAudit(em: EntityManager, entry: AuditRecord): AuditEntry {
    const e = em.create(AuditEntry, {
      organizationId: entry.organizationId,
      datasetId: entry.datasetId ?? null,
      actorId: entry.actorId,
      action: entry.action,
      details: entry.details ?? null,
    });
    em.persist(e);
    return e;
  }

  /** An organization's audit trail (of one dataset when given), newest first. */
  auditTrail(
    em: EntityManager,
    organizationId: string,
    datasetId: string | undefined,
    first: number,
  ): Promise<AuditEntry[]> {
    return em.find(
      AuditEntry,
      { organizationId, ...(datasetId ? { datasetId } : {}) },
      { orderBy: { createdAt: 'desc', id: 'asc' }, limit: first },
    );
  }
}
