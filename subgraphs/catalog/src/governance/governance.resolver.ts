import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { viewerCan } from '../../../../lib/src/index';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { CatalogContext } from '../context';
import { Dataset } from '../dataset/dataset.entity';
import { AccessLevel } from '../dataset/dataset.enums';
import { RetentionPolicyInput } from '../dataset/dataset.input';
import { AccessGrant } from './access-grant.entity';
import { AccessRequest } from './access-request.entity';
import { AuditEntry } from './audit-entry.entity';
import { AccessRequestStatus, GrantSubjectType } from './governance.enums';

@Resolver(() => Dataset)
export class GovernanceResolver {
  @Mutation(() => AccessGrant, { description: 'Grants (or changes) a user or role access to a dataset; needs OWNER.' })
  grantAccess(
    @Arg('datasetId', () => ID) datasetId: string,
    @Arg('subjectType', () => GrantSubjectType) subjectType: GrantSubjectType,
    @Arg('subjectId', () => String) subjectId: string,
    @Arg('level', () => AccessLevel) level: AccessLevel,
    @Ctx() ctx: CatalogContext,
  ): Promise<AccessGrant> {
    return ctx.services.governance.grantAccess(requestScope(ctx), datasetId, subjectType, subjectId, level);
  }

  @Mutation(() => Boolean)
  revokeAccess(@Arg('grantId', () => ID) grantId: string, @Ctx() ctx: CatalogContext): Promise<boolean> {
    return ctx.services.governance.revokeAccess(requestScope(ctx), grantId);
  }

  @Mutation(() => AccessRequest, {
    description: 'Asks the owners of a dataset in your organization for access (you need not see it yet).',
  })
  requestAccess(
    @Arg('datasetId', () => ID) datasetId: string,
    @Arg('level', () => AccessLevel) level: AccessLevel,
    @Ctx() ctx: CatalogContext,
    @Arg('reason', () => String, { nullable: true }) reason?: string,
  ): Promise<AccessRequest> {
    return ctx.services.governance.requestAccess(requestScope(ctx), datasetId, level, reason ?? null);
  }

  @Mutation(() => AccessRequest, {
    description: 'Approves (granting the requested level to the requester) or denies a pending request; needs OWNER.',
  })
  decideAccessRequest(
    @Arg('id', () => ID) id: string,
    @Arg('approve', () => Boolean) approve: boolean,
    @Ctx() ctx: CatalogContext,
    @Arg('note', () => String, { nullable: true }) note?: string,
  ): Promise<AccessRequest> {
    return ctx.services.governance.decideAccessRequest(requestScope(ctx), id, approve, note ?? null);
  }

  @Query(() => [AccessRequest], {
    nullable: true,
    description: 'Requests on datasets you own, plus your own requests.',
  })
  accessRequests(
    @Ctx() ctx: CatalogContext,
    @Arg('status', () => AccessRequestStatus, { nullable: true }) status?: AccessRequestStatus,
  ): Promise<AccessRequest[]> {
    return ctx.services.governance.accessRequests(requestScope(ctx), status);
  }

  @Query(() => [AuditEntry], { nullable: true, description: 'The audit trail of your organization, newest first.' })
  auditEntries(
    @Ctx() ctx: CatalogContext,
    @Arg('datasetId', () => ID, { nullable: true }) datasetId?: string,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number = 50,
  ): Promise<AuditEntry[]> {
    return ctx.services.governance.auditEntries(requestScope(ctx), datasetId, first);
  }

  @Mutation(() => Dataset, {
    description: 'Sets (or clears, with both null) the retention policy and applies it now; needs OWNER.',
  })
  setRetentionPolicy(
    @Arg('datasetId', () => ID) datasetId: string,
    @Arg('policy', () => RetentionPolicyInput) policy: RetentionPolicyInput,
    @Ctx() ctx: CatalogContext,
  ): Promise<Dataset> {
    return ctx.services.governance.setRetentionPolicy(requestScope(ctx), datasetId, policy);
  }

  @FieldResolver(() => Boolean, { description: 'Whether the viewer may read PII columns unmasked.' })
  viewerCanReadPii(@Root() _dataset: Dataset, @Ctx() ctx: CatalogContext): boolean {
    return viewerCan(ctx.viewer, 'catalog:read-pii');
  }
}
