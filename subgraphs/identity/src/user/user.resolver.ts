import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { UserType } from './user.type';
import { CreateUserInput, InviteUserInput } from './user.input';
import type { User } from './user.entity';
import { OrganizationType } from '../organization/organization.type';
import type { Organization } from '../organization/organization.entity';
import { scopeOf, type IdentityContext } from '../context';
import { requireViewer } from '../../../../lib/src/index';

/** Members of the caller's organization. */
@Resolver(() => UserType)
export class UserResolver {
  @Query(() => UserType, { description: 'The signed-in user' })
  async me(@Ctx() ctx: IdentityContext): Promise<User> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.services.users.inOrganization(viewer.organizationId, viewer.id);
  }

  @Query(() => [UserType], { description: 'Members of your organization, oldest first' })
  async users(
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Ctx() ctx: IdentityContext,
  ): Promise<User[]> {
    const viewer = requireViewer(ctx.viewer);
    return (await ctx.services.organizations.members(viewer.organizationId, Math.min(Math.max(first, 1), 200), Math.max(offset, 0))).users;
  }

  @Query(() => UserType)
  async user(@Arg('id', () => ID) id: string, @Ctx() ctx: IdentityContext): Promise<User> {
    return ctx.services.users.inOrganization(requireViewer(ctx.viewer).organizationId, id);
  }

  @Mutation(() => UserType, { description: 'Creates a user in your organization' })
  async createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: IdentityContext): Promise<User> {
    return ctx.services.users.create(requireViewer(ctx.viewer), { ...input, roles: input.roles ?? undefined }, ctx.meta);
  }

  @Mutation(() => UserType, { description: 'Adds an existing user to your organization' })
  async inviteUser(@Arg('input', () => InviteUserInput) input: InviteUserInput, @Ctx() ctx: IdentityContext): Promise<User> {
    return ctx.services.users.invite(requireViewer(ctx.viewer), input.email, input.roles ?? ['viewer'], ctx.meta);
  }

  @Mutation(() => Boolean, { description: 'Removes a member from your organization: its roles go, its sessions end and its API keys stop working' })
  async removeMember(@Arg('userId', () => ID) userId: string, @Ctx() ctx: IdentityContext): Promise<boolean> {
    const viewer = requireViewer(ctx.viewer);
    await ctx.services.organizations.removeMember(viewer, userId, ctx.meta);
    await ctx.services.sessions.revokeAllOf(userId, viewer.organizationId, 'membership-removed');
    await ctx.services.apiKeys.revokeAllOf(userId, viewer.organizationId);
    return true;
  }

  @FieldResolver(() => [String], { description: 'Role names in your organization' })
  async roles(@Root() user: User, @Ctx() ctx: IdentityContext): Promise<string[]> {
    return (await ctx.services.roles.grantOf(user.id, scopeOf(ctx).organizationId))?.roles ?? [];
  }

  @FieldResolver(() => [String], { description: 'Permissions in your organization, from the roles' })
  async permissions(@Root() user: User, @Ctx() ctx: IdentityContext): Promise<string[]> {
    return (await ctx.services.roles.grantOf(user.id, scopeOf(ctx).organizationId))?.permissions ?? [];
  }

  @FieldResolver(() => [OrganizationType], { description: 'All organizations for yourself; for others, only the ones you share' })
  async organizations(@Root() user: User, @Ctx() ctx: IdentityContext): Promise<Organization[]> {
    const scope = scopeOf(ctx);
    const all = await ctx.services.organizations.ofUser(user.id);
    return user.id === scope.id ? all : all.filter((o) => o.id === scope.organizationId);
  }
}
