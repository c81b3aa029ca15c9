import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { RoleType } from './role.type';
import { CreateRoleInput } from './role.input';
import type { Role } from './role.entity';
import { permissionsOf } from './role.service';
import { UserType } from '../user/user.type';
import type { User } from '../user/user.entity';
import type { IdentityContext } from '../context';
import { requireViewer } from '../../../../lib/src/index';

@Resolver(() => RoleType)
export class RoleResolver {
  @Query(() => [RoleType], { description: 'Roles of your organization, built-ins first' })
  async roles(@Ctx() ctx: IdentityContext): Promise<Role[]> {
    return ctx.services.roles.list(requireViewer(ctx.viewer).organizationId);
  }

  @Mutation(() => RoleType, { description: 'A custom role; you cannot create a role with permissions you do not hold' })
  async createRole(@Arg('input', () => CreateRoleInput) input: CreateRoleInput, @Ctx() ctx: IdentityContext): Promise<Role> {
    return ctx.services.roles.create(requireViewer(ctx.viewer), { ...input, description: input.description ?? undefined }, ctx.meta);
  }

  @Mutation(() => RoleType, { description: 'Deletes a custom role and takes it from everyone who holds it' })
  async deleteRole(@Arg('id', () => ID) id: string, @Ctx() ctx: IdentityContext): Promise<Role> {
    return ctx.services.roles.delete(requireViewer(ctx.viewer), id, ctx.meta);
  }

  @Mutation(() => UserType, { description: 'Grants a role; only owners grant owner, nobody grants permissions they lack' })
  async assignRole(@Arg('userId', () => ID) userId: string, @Arg('role', () => String) role: string, @Ctx() ctx: IdentityContext): Promise<User> {
    const viewer = requireViewer(ctx.viewer);
    await ctx.services.roles.assign(viewer, userId, role, ctx.meta);
    return ctx.services.users.inOrganization(viewer.organizationId, userId);
  }

  @Mutation(() => UserType, { description: 'Takes a role away; the last owner keeps theirs' })
  async revokeRole(@Arg('userId', () => ID) userId: string, @Arg('role', () => String) role: string, @Ctx() ctx: IdentityContext): Promise<User> {
    const viewer = requireViewer(ctx.viewer);
    await ctx.services.roles.revoke(viewer, userId, role, ctx.meta);
    return ctx.services.users.inOrganization(viewer.organizationId, userId);
  }

  @FieldResolver(() => [String])
  permissions(@Root() role: Role): string[] {
    return [...permissionsOf(role)];
  }
}
