import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { BadUserInputError, ConflictError, NotFoundError, requireViewer, viewerCan } from '../../../../lib/src/index';
import type { CatalogContext } from '../context';
import { Dataset } from '../dataset/dataset.entity';
import { AccessLevel } from '../dataset/dataset.enums';
import { RetentionPolicyInput } from '../dataset/dataset.input';
import { accessLevelFor, requireDataset } from './access.service';
import { AccessGrant } from './access-grant.entity';
import { AccessRequest } from './access-request.entity';
import { AuditEntry } from './audit-entry.entity';
import { recordAudit } from './audit.service';
import { AccessRequestStatus, AuditAction, GrantSubjectType } from './governance.enums';
import { applyRetention } from './retention.service';

@Resolver(() => Dataset)
export class GovernanceResolver {
  @Mutation(() => AccessGrant, { description: 'Grants (or changes) a user or role access to a dataset; needs OWNER.' })
  async grantAccess(
    @Arg('datasetId', () => ID) datasetId: string,
    @Arg('subjectType', () => GrantSubjectType) subjectType: GrantSubjectType,
    @Arg('subjectId', () => String) subjectId: string,
    @Arg('level', () => AccessLevel) level: AccessLevel,
    @Ctx() ctx: CatalogContext,
  ): Promise<AccessGrant> {
    const viewer = requireViewer(ctx.viewer);
    const { dataset } = await requireDataset(ctx.em, viewer, datasetId, AccessLevel.OWNER);
    if (!subjectId.trim()) throw new BadUserInputError('subjectId is empty', [{ field: 'subjectId', message: 'must not be empty' }]);
    return upsertGrant(ctx, dataset, subjectType, subjectId.trim(), level, viewer.id);
  }

  @Mutation(() => Boolean)
  async revokeAccess(@Arg('grantId', () => ID) grantId: string, @Ctx() ctx: CatalogContext): Promise<boolean> {
    const viewer = requireViewer(ctx.viewer);
    const grant = await ctx.em.findOne(AccessGrant, { id: grantId, organizationId: viewer.organizationId });
    if (!grant) throw new NotFoundError('AccessGrant', grantId);
    await requireDataset(ctx.em, viewer, grant.datasetId, AccessLevel.OWNER);
    recordAudit(ctx.em, { organizationId: grant.organizationId, datasetId: grant.datasetId, actorId: viewer.id, action: AuditAction.ACCESS_REVOKED, details: { subjectType: grant.subjectType, subjectId: grant.subjectId, level: grant.level } });
    ctx.em.remove(grant);
    await ctx.em.flush();
    return true;
  }

  @Mutation(() => AccessRequest, { description: 'Asks the owners of a dataset in your organization for access (you need not see it yet).' })
  async requestAccess(
    @Arg('datasetId', () => ID) datasetId: string,
    @Arg('level', () => AccessLevel) level: AccessLevel,
    @Ctx() ctx: CatalogContext,
    @Arg('reason', () => String, { nullable: true }) reason?: string,
  ): Promise<AccessRequest> {
    const viewer = requireViewer(ctx.viewer);
    const dataset = await ctx.em.findOne(Dataset, { id: datasetId, organizationId: viewer.organizationId });
    if (!dataset) throw new NotFoundError('Dataset', datasetId);
    if (await ctx.em.findOne(AccessRequest, { datasetId, requesterId: viewer.id, status: AccessRequestStatus.PENDING })) throw new ConflictError('You already have a pending request for this dataset');
    const request = ctx.em.create(AccessRequest, { organizationId: viewer.organizationId, datasetId, requesterId: viewer.id, level, reason: reason ?? null });
    await ctx.em.flush();
    return request;
  }

  @Mutation(() => AccessRequest, { description: 'Approves (granting the requested level to the requester) or denies a pending request; needs OWNER.' })
  async decideAccessRequest(
    @Arg('id', () => ID) id: string,
    @Arg('approve', () => Boolean) approve: boolean,
    @Ctx() ctx: CatalogContext,
    @Arg('note', () => String, { nullable: true }) note?: string,
  ): Promise<AccessRequest> {
    const viewer = requireViewer(ctx.viewer);
    const request = await ctx.em.findOne(AccessRequest, { id, organizationId: viewer.organizationId });
    if (!request) throw new NotFoundError('AccessRequest', id);
    const { dataset } = await requireDataset(ctx.em, viewer, request.datasetId, AccessLevel.OWNER);
    if (request.status !== AccessRequestStatus.PENDING) throw new ConflictError(`The request was already ${request.status.toLowerCase()}`);
    Object.assign(request, { status: approve ? AccessRequestStatus.APPROVED : AccessRequestStatus.DENIED, decidedById: viewer.id, decidedAt: new Date(), decisionNote: note ?? null });
    recordAudit(ctx.em, { organizationId: request.organizationId, datasetId: request.datasetId, actorId: viewer.id, action: AuditAction.ACCESS_REQUEST_DECIDED, details: { requestId: request.id, requesterId: request.requesterId, level: request.level, approved: approve } });
    if (approve) await upsertGrant(ctx, dataset, GrantSubjectType.USER, request.requesterId, request.level, viewer.id);
    await ctx.em.flush();
    return request;
  }

  @Query(() => [AccessRequest], { description: 'Requests on datasets you own, plus your own requests.' })
  async accessRequests(@Ctx() ctx: CatalogContext, @Arg('status', () => AccessRequestStatus, { nullable: true }) status?: AccessRequestStatus): Promise<AccessRequest[]> {
    const viewer = requireViewer(ctx.viewer);
    const all = await ctx.em.find(AccessRequest, { organizationId: viewer.organizationId, ...(status ? { status } : {}) }, { orderBy: { createdAt: 'desc' }, limit: 500 });
    const datasets = new Map((await ctx.em.find(Dataset, { id: { $in: [...new Set(all.map((r) => r.datasetId))] } })).map((d) => [d.id, d]));
    const out: AccessRequest[] = [];
    for (const r of all) {
      const d = datasets.get(r.datasetId);
      if (r.requesterId === viewer.id || (d && (await accessLevelFor(ctx.em, viewer, d)) === AccessLevel.OWNER)) out.push(r);
    }
    return out;
  }

  @Query(() => [AuditEntry], { description: 'The audit trail of your organization, newest first.' })
  auditEntries(
    @Ctx() ctx: CatalogContext,
    @Arg('datasetId', () => ID, { nullable: true }) datasetId?: string,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number = 50,
  ): Promise<AuditEntry[]> {
    const viewer = requireViewer(ctx.viewer);
    if (first < 1 || first > 500) throw new BadUserInputError('Invalid page size', [{ field: 'first', message: 'must be between 1 and 500' }]);
    return ctx.em.find(AuditEntry, { organizationId: viewer.organizationId, ...(datasetId ? { datasetId } : {}) }, { orderBy: { at: 'desc', id: 'asc' }, limit: first });
  }

  @Mutation(() => Dataset, { description: 'Sets (or clears, with both null) the retention policy and applies it now; needs OWNER.' })
  async setRetentionPolicy(@Arg('datasetId', () => ID) datasetId: string, @Arg('policy', () => RetentionPolicyInput) policy: RetentionPolicyInput, @Ctx() ctx: CatalogContext): Promise<Dataset> {
    const viewer = requireViewer(ctx.viewer);
    const { dataset } = await requireDataset(ctx.em, viewer, datasetId, AccessLevel.OWNER);
    if (policy.keepLast != null && policy.keepLast < 1) throw new BadUserInputError('Invalid retention', [{ field: 'keepLast', message: 'must be at least 1' }]);
    if (policy.maxAgeDays != null && policy.maxAgeDays < 1) throw new BadUserInputError('Invalid retention', [{ field: 'maxAgeDays', message: 'must be at least 1' }]);
    dataset.retentionKeepLast = policy.keepLast ?? null;
    dataset.retentionMaxAgeDays = policy.maxAgeDays ?? null;
    await ctx.em.flush();
    await applyRetention(ctx.em, ctx.catalog.store, new Date(), dataset.id, viewer.id);
    return dataset;
  }

  @FieldResolver(() => Boolean, { description: 'Whether the viewer may read PII columns unmasked.' })
  viewerCanReadPii(@Root() _dataset: Dataset, @Ctx() ctx: CatalogContext): boolean {
    return viewerCan(ctx.viewer, 'catalog:read-pii');
  }
}

async function upsertGrant(ctx: CatalogContext, dataset: Dataset, subjectType: GrantSubjectType, subjectId: string, level: AccessLevel, actorId: string): Promise<AccessGrant> {
  let grant = await ctx.em.findOne(AccessGrant, { datasetId: dataset.id, subjectType, subjectId });
  if (grant) grant.level = level;
  else grant = ctx.em.create(AccessGrant, { organizationId: dataset.organizationId, datasetId: dataset.id, subjectType, subjectId, level, grantedById: actorId });
  recordAudit(ctx.em, { organizationId: dataset.organizationId, datasetId: dataset.id, actorId, action: AuditAction.ACCESS_GRANTED, details: { subjectType, subjectId, level } });
  await ctx.em.flush();
  return grant;
}
