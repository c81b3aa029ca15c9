import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import { AuditEventConnectionType, AuditFilterInput } from './audit-event.type';
import type { AuditPage } from './audit.service';
import type { IdentityContext } from '../context';

@Resolver()
export class AuditResolver {
  @Query(() => AuditEventConnectionType, {
    nullable: true,
    description: "Your organization's security events, newest first (needs audit:read)",
  })
  auditLog(
    @Arg('filter', () => AuditFilterInput, { nullable: true }) filter: AuditFilterInput | null | undefined,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuditPage> {
    return ctx.services.audit.query(requestScope(ctx), filter ?? {}, first, after);
  }
}
