import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import { SessionType } from './session.type';
import type { Session } from './session.entity';
import { UserType } from '../user/user.type';
import type { User } from '../user/user.entity';
import { callerScope, type IdentityContext } from '../context';

@Resolver(() => SessionType)
export class SessionResolver {
  @Query(() => [SessionType], {
    nullable: true,
    description: "Active sessions: yours, or another member's with users:write",
  })
  sessions(
    @Arg('userId', () => ID, { nullable: true }) userId: string | null | undefined,
    @Ctx() ctx: IdentityContext,
  ): Promise<Session[]> {
    return ctx.services.sessions.visible(requestScope(ctx), userId);
  }

  @Mutation(() => SessionType, { description: "Ends a session: yours, or another member's with users:write" })
  revokeSession(@Arg('id', () => ID) id: string, @Ctx() ctx: IdentityContext): Promise<Session> {
    return ctx.services.sessions.revoke(requestScope(ctx), id, ctx.meta);
  }

  @FieldResolver(() => UserType)
  user(@Root() session: Session, @Ctx() ctx: IdentityContext): Promise<User> {
    return ctx.services.users.member(callerScope(ctx), session.organizationId, session.user.id);
  }

  @FieldResolver(() => Boolean, { description: 'The session of the token making this request' })
  current(@Root() session: Session, @Ctx() ctx: IdentityContext): boolean {
    return ctx.viewer?.sessionId === session.id;
  }
}
