import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { AuditEventConnectionType, AuditFilterInput } from './audit-event.type';
import type { IdentityContext } from '../context';
import { requireViewer } from '../../../../lib/src/index';

@Resolver()
export class AuditResolver {
  @Query(() => AuditEventConnectionType, { description: "Your organization's security events, newest first (needs audit:read)" })
  async auditLog(
    @Arg('filter', () => AuditFilterInput, { nullable: true }) filter: AuditFilterInput | null | undefined,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuditEventConnectionType> {
    const page = await ctx.services.audit.query(requireViewer(ctx.viewer).organizationId, filter ?? {}, first, after);
    return { nodes: page.events, pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage } };
  }
}
