import type { EntityManager } from '@mikro-orm/core';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { Dataset } from '../dataset/dataset.entity';
import { AccessLevel } from '../dataset/dataset.enums';
import type { RetentionPolicyInput } from '../dataset/dataset.input';
import type { DatasetRepository } from '../dataset/dataset.repository';
import type { AccessService } from './access.service';
import { AccessGrant } from './access-grant.entity';
import { AccessRequest } from './access-request.entity';
import type { AuditEntry } from './audit-entry.entity';
import { AccessRequestStatus, AuditAction, GrantSubjectType } from './governance.enums';
import type { GovernanceRepository } from './governance.repository';
import type { RetentionService } from './retention.service';

/** Access requests listed at most. */
const MAX_REQUESTS = 500;

/** Grants, access requests, the audit trail and retention policies: dataset governance for owners. */
export class GovernanceService {
  constructor(
    private readonly deps: {
      access: AccessService;
      governance: GovernanceRepository;
      datasets: DatasetRepository;
      retention: RetentionService;
      clock: Clock;
    },
  ) {}

  /** Grants (or changes) a user or role access to a dataset; needs OWNER. */
  async grantAccess(
    scope: RequestScope,
    datasetId: string,
    subjectType: GrantSubjectType,
    subjectId: string,
    level: AccessLevel,
  ): Promise<AccessGrant> {
    const { dataset } = await this.deps.access.requireDataset(scope, datasetId, AccessLevel.OWNER);
    if (!subjectId.trim())
      throw new BadUserInputError('subjectId is empty', [{ field: 'subjectId', message: 'must not be empty' }]);
    return this.upsertGrant(scope.em, dataset, subjectType, subjectId.trim(), level, scope.viewer.id);
  }

  /** Removes a grant; needs OWNER on its dataset. */
  async revokeAccess(scope: RequestScope, grantId: string): Promise<boolean> {
    const { em, viewer } = scope;
    const grant = await this.deps.governance.findGrant(em, viewer.organizationId, grantId);
    if (!grant) throw new NotFoundError('AccessGrant', grantId);
    await this.deps.access.requireDataset(scope, grant.datasetId, AccessLevel.OWNER);
    this.deps.governance.recordAudit(em, {
      organizationId: grant.organizationId,
      datasetId: grant.datasetId,
      actorId: viewer.id,
      action: AuditAction.ACCESS_REVOKED,
      details: { subjectType: grant.subjectType, subjectId: grant.subjectId, level: grant.level },
    });
    em.remove(grant);
    await em.flush();
    return true;
  }

  /** Asks the owners of a dataset of the viewer's organization for access (the viewer need not see it yet). */
  async requestAccess(
    { em, viewer }: RequestScope,
    datasetId: string,
    level: AccessLevel,
    reason: string | null,
  ): Promise<AccessRequest> {
    const dataset = await this.deps.datasets.findInOrganization(em, viewer.organizationId, datasetId);
    if (!dataset) throw new NotFoundError('Dataset', datasetId);
    if (await this.deps.governance.hasPendingRequest(em, datasetId, viewer.id))
      throw new ConflictError('You already have a pending request for this dataset');
    const request = em.create(AccessRequest, {
      organizationId: viewer.organizationId,
      datasetId,
      requesterId: viewer.id,
      level,
      reason,
    });
    await em.flush();
    return request;
  }

  /** Approves (granting the requested level to the requester) or denies a pending request; needs OWNER. */
  async decideAccessRequest(
    scope: RequestScope,
    id: string,
    approve: boolean,
    note: string | null,
  ): Promise<AccessRequest> {
    const { em, viewer } = scope;
    const request = await this.deps.governance.findRequest(em, viewer.organizationId, id);
    if (!request) throw new NotFoundError('AccessRequest', id);
    const { dataset } = await this.deps.access.requireDataset(scope, request.datasetId, AccessLevel.OWNER);
    if (request.status !== AccessRequestStatus.PENDING)
      throw new ConflictError(`The request was already ${request.status.toLowerCase()}`);
    Object.assign(request, {
      status: approve ? AccessRequestStatus.APPROVED : AccessRequestStatus.DENIED,
      decidedById: viewer.id,
      decidedAt: this.deps.clock(),
      decisionNote: note,
    });
    this.deps.governance.recordAudit(em, {
      organizationId: request.organizationId,
      datasetId: request.datasetId,
      actorId: viewer.id,
      action: AuditAction.ACCESS_REQUEST_DECIDED,
      details: { requestId: request.id, requesterId: request.requesterId, level: request.level, approved: approve },
    });
    if (approve)
      await this.upsertGrant(em, dataset, GrantSubjectType.USER, request.requesterId, request.level, viewer.id);
    await em.flush();
    return request;
  }

  /** Requests on datasets the viewer owns, plus the viewer's own requests, newest first. */
  async accessRequests(scope: RequestScope, status: AccessRequestStatus | undefined): Promise<AccessRequest[]> {
    const { em, viewer } = scope;
    const all = await this.deps.governance.requestsIn(em, viewer.organizationId, status, MAX_REQUESTS);
    const datasets = new Map(
      (await this.deps.datasets.findManyById(em, [...new Set(all.map((r) => r.datasetId))])).map((d) => [d.id, d]),
    );
    const out: AccessRequest[] = [];
    for (const r of all) {
      const d = datasets.get(r.datasetId);
      if (r.requesterId === viewer.id || (d && (await this.deps.access.owns(scope, d)))) out.push(r);
    }
    return out;
  }

  /** The audit trail of the viewer's organization (of one dataset when given), newest first. */
  auditEntries({ em, viewer }: RequestScope, datasetId: string | undefined, first: number): Promise<AuditEntry[]> {
    if (first < 1 || first > 500)
      throw new BadUserInputError('Invalid page size', [{ field: 'first', message: 'must be between 1 and 500' }]);
    return this.deps.governance.auditTrail(em, viewer.organizationId, datasetId, first);
  }

  /** Sets (or clears, with both null) a dataset's retention policy and applies it now; needs OWNER. */
  async setRetentionPolicy(scope: RequestScope, datasetId: string, policy: RetentionPolicyInput): Promise<Dataset> {
    const { dataset } = await this.deps.access.requireDataset(scope, datasetId, AccessLevel.OWNER);
    if (policy.keepLast != null && policy.keepLast < 1)
      throw new BadUserInputError('Invalid retention', [{ field: 'keepLast', message: 'must be at least 1' }]);
    if (policy.maxAgeDays != null && policy.maxAgeDays < 1)
      throw new BadUserInputError('Invalid retention', [{ field: 'maxAgeDays', message: 'must be at least 1' }]);
    dataset.retentionKeepLast = policy.keepLast ?? null;
    dataset.retentionMaxAgeDays = policy.maxAgeDays ?? null;
    await scope.em.flush();
    await this.deps.retention.apply(scope.em, { datasetId: dataset.id, actorId: scope.viewer.id });
    return dataset;
  }

  /** The viewer's access level to a dataset; null when none. */
  async viewerAccess(scope: RequestScope, dataset: Dataset): Promise<AccessLevel | null> {
    const level = await this.deps.access.levelFor(scope, dataset);
    return level === 'NONE' ? null : level;
  }

  /** The grants on a dataset, for its owners only (empty for anyone else). */
  async grantsOn(scope: RequestScope, dataset: Dataset): Promise<AccessGrant[]> {
    return (await this.deps.access.owns(scope, dataset)) ? this.deps.governance.grantsOn(scope.em, dataset.id) : [];
  }

  /** A grant another subgraph refers to: visible to the owners of its dataset only; null otherwise. */
  async grantReference(scope: RequestScope, id: string): Promise<AccessGrant | null> {
    const grant = await this.deps.governance.findGrant(scope.em, scope.viewer.organizationId, id);
    const dataset = grant ? await this.deps.access.visibleDataset(scope, grant.datasetId) : null;
    return grant && dataset && (await this.deps.access.owns(scope, dataset)) ? grant : null;
  }

  private async upsertGrant(
    em: EntityManager,
    dataset: Dataset,
    subjectType: GrantSubjectType,
    subjectId: string,
    level: AccessLevel,
    actorId: string,
  ): Promise<AccessGrant> {
    let grant = await this.deps.governance.findGrantOf(em, dataset.id, subjectType, subjectId);
    if (grant) grant.level = level;
    else
      grant = em.create(AccessGrant, {
        organizationId: dataset.organizationId,
        datasetId: dataset.id,
        subjectType,
        subjectId,
        level,
        grantedById: actorId,
      });
    this.deps.governance.recordAudit(em, {
      organizationId: dataset.organizationId,
      datasetId: dataset.id,
      actorId,
      action: AuditAction.ACCESS_GRANTED,
      details: { subjectType, subjectId, level },
    });
    await em.flush();
    return grant;
  }
}
