import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { SessionType } from './session.type';
import type { Session } from './session.entity';
import { UserType } from '../user/user.type';
import type { User } from '../user/user.entity';
import type { IdentityContext } from '../context';
import { PermissionDeniedError } from '../shared/identity.errors';
import { requireViewer, viewerCan } from '../../../../lib/src/index';

@Resolver(() => SessionType)
export class SessionResolver {
  @Query(() => [SessionType], { description: "Active sessions: yours, or another member's with users:write" })
  async sessions(@Arg('userId', () => ID, { nullable: true }) userId: string | null | undefined, @Ctx() ctx: IdentityContext): Promise<Session[]> {
    const viewer = requireViewer(ctx.viewer);
    const target = userId ?? viewer.id;
    if (target !== viewer.id && !viewerCan(viewer, 'users:write')) throw new PermissionDeniedError('Missing permission users:write');
    return ctx.services.sessions.active(target, viewer.organizationId);
  }

  @Mutation(() => SessionType, { description: "Ends a session: yours, or another member's with users:write" })
  async revokeSession(@Arg('id', () => ID) id: string, @Ctx() ctx: IdentityContext): Promise<Session> {
    return ctx.services.sessions.revoke(requireViewer(ctx.viewer), id, ctx.meta);
  }

  @FieldResolver(() => UserType)
  async user(@Root() session: Session, @Ctx() ctx: IdentityContext): Promise<User> {
    return ctx.services.users.inOrganization(session.organization.id, session.user.id);
  }

  @FieldResolver(() => Boolean, { description: 'The session of the token making this request' })
  current(@Root() session: Session, @Ctx() ctx: IdentityContext): boolean {
    return ctx.viewer?.sessionId === session.id;
  }
}
