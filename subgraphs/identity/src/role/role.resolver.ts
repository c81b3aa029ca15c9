import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import { RoleType } from './role.type';
import { CreateRoleInput } from './role.input';
import type { Role } from './role.entity';
import { permissionsOf } from '../permission/permission.catalog';
import { UserType } from '../user/user.type';
import type { User } from '../user/user.entity';
import type { IdentityContext } from '../context';

@Resolver(() => RoleType)
export class RoleResolver {
  @Query(() => [RoleType], { nullable: true, description: 'Roles of your organization, built-ins first' })
  roles(@Ctx() ctx: IdentityContext): Promise<Role[]> {
    return ctx.services.roles.list(requestScope(ctx));
  }

  @Mutation(() => RoleType, { description: 'A custom role; you cannot create a role with permissions you do not hold' })
  createRole(@Arg('input', () => CreateRoleInput) input: CreateRoleInput, @Ctx() ctx: IdentityContext): Promise<Role> {
    return ctx.services.roles.create(requestScope(ctx), input, ctx.meta);
  }

  @Mutation(() => RoleType, { description: 'Deletes a custom role and takes it from everyone who holds it' })
  deleteRole(@Arg('id', () => ID) id: string, @Ctx() ctx: IdentityContext): Promise<Role> {
    return ctx.services.roles.delete(requestScope(ctx), id, ctx.meta);
  }

  @Mutation(() => UserType, {
    description: 'Grants a role; only owners grant owner, nobody grants permissions they lack',
  })
  assignRole(
    @Arg('userId', () => ID) userId: string,
    @Arg('role', () => String) role: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<User> {
    return ctx.services.roles.assignRole(requestScope(ctx), userId, role, ctx.meta);
  }

  @Mutation(() => UserType, { description: 'Takes a role away; the last owner keeps theirs' })
  revokeRole(
    @Arg('userId', () => ID) userId: string,
    @Arg('role', () => String) role: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<User> {
    return ctx.services.roles.revokeRole(requestScope(ctx), userId, role, ctx.meta);
  }

  @FieldResolver(() => [String])
  permissions(@Root() role: Role): string[] {
    return [...permissionsOf(role)];
  }
}
