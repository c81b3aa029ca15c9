import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import { OrganizationType } from './organization.type';
import { CreateOrganizationInput } from './organization.input';
import type { Organization } from './organization.entity';
import type { User } from '../user/user.entity';
import { UserType } from '../user/user.type';
import { RoleType } from '../role/role.type';
import type { Role } from '../role/role.entity';
import { callerScope, memberScope, type IdentityContext } from '../context';

@Resolver(() => OrganizationType)
export class OrganizationResolver {
  @Query(() => OrganizationType, { nullable: true, description: 'The organization your token is scoped to' })
  organization(@Ctx() ctx: IdentityContext): Promise<Organization> {
    return ctx.services.organizations.current(requestScope(ctx));
  }

  @Query(() => [OrganizationType], {
    nullable: true,
    description: 'Organizations you belong to (sign in with organizationId to switch)',
  })
  organizations(@Ctx() ctx: IdentityContext): Promise<Organization[]> {
    return ctx.services.organizations.mine(requestScope(ctx));
  }

  @Mutation(() => OrganizationType, {
    description:
      'Creates an organization with you as its owner. Needs org:manage unless the platform setting AIC_ORGANIZATION_CREATION is anyone (or nobody)',
  })
  createOrganization(
    @Arg('input', () => CreateOrganizationInput) input: CreateOrganizationInput,
    @Ctx() ctx: IdentityContext,
  ): Promise<Organization> {
    return ctx.services.organizations.createAsOwner(requestScope(ctx), input, ctx.meta);
  }

  @FieldResolver(() => [RoleType])
  roles(@Root() organization: Organization, @Ctx() ctx: IdentityContext): Promise<Role[]> {
    return ctx.services.roles.ofOrganization(memberScope(ctx), organization.id);
  }

  @FieldResolver(() => [UserType], { description: 'Needs users:read' })
  members(
    @Root() organization: Organization,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Ctx() ctx: IdentityContext,
  ): Promise<User[]> {
    return ctx.services.organizations.membersOf(callerScope(ctx), organization.id, first, offset);
  }
}
