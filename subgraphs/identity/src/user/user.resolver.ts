import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import { UserType } from './user.type';
import { CreateUserInput, InviteUserInput } from './user.input';
import type { User } from './user.entity';
import { OrganizationType } from '../organization/organization.type';
import type { Organization } from '../organization/organization.entity';
import { memberScope, type IdentityContext } from '../context';

/** Members of the caller's organization. */
@Resolver(() => UserType)
export class UserResolver {
  @Query(() => UserType, { nullable: true, description: 'The signed-in user' })
  me(@Ctx() ctx: IdentityContext): Promise<User> {
    return ctx.services.users.me(requestScope(ctx));
  }

  @Query(() => [UserType], { nullable: true, description: 'Members of your organization, oldest first' })
  users(
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Ctx() ctx: IdentityContext,
  ): Promise<User[]> {
    return ctx.services.organizations.members(requestScope(ctx), first, offset);
  }

  @Query(() => UserType, { nullable: true })
  user(@Arg('id', () => ID) id: string, @Ctx() ctx: IdentityContext): Promise<User> {
    return ctx.services.users.get(requestScope(ctx), id);
  }

  @Mutation(() => UserType, { description: 'Creates a user in your organization' })
  createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: IdentityContext): Promise<User> {
    return ctx.services.users.create(requestScope(ctx), input, ctx.meta);
  }

  @Mutation(() => UserType, { description: 'Adds an existing user to your organization' })
  inviteUser(@Arg('input', () => InviteUserInput) input: InviteUserInput, @Ctx() ctx: IdentityContext): Promise<User> {
    return ctx.services.users.invite(requestScope(ctx), input.email, input.roles, ctx.meta);
  }

  @Mutation(() => Boolean, {
    description:
      'Removes a member from your organization: its roles go, its sessions end and its API keys stop working',
  })
  removeMember(@Arg('userId', () => ID) userId: string, @Ctx() ctx: IdentityContext): Promise<boolean> {
    return ctx.services.organizations.removeMember(requestScope(ctx), userId, ctx.meta);
  }

  @FieldResolver(() => [String], { description: 'Role names in your organization' })
  roles(@Root() user: User, @Ctx() ctx: IdentityContext): Promise<string[]> {
    return ctx.services.roles.memberRoles(memberScope(ctx), user.id);
  }

  @FieldResolver(() => [String], { description: 'Permissions in your organization, from the roles' })
  permissions(@Root() user: User, @Ctx() ctx: IdentityContext): Promise<string[]> {
    return ctx.services.roles.memberPermissions(memberScope(ctx), user.id);
  }

  @FieldResolver(() => [OrganizationType], {
    description: 'All organizations for yourself; for others, only the ones you share',
  })
  organizations(@Root() user: User, @Ctx() ctx: IdentityContext): Promise<Organization[]> {
    return ctx.services.organizations.visibleOf(memberScope(ctx), user.id);
  }
}
