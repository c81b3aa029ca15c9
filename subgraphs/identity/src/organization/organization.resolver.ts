import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { OrganizationType } from './organization.type';
import { CreateOrganizationInput } from './organization.input';
import type { Organization } from './organization.entity';
import { User } from '../user/user.entity';
import { UserType } from '../user/user.type';
import { RoleType } from '../role/role.type';
import type { Role } from '../role/role.entity';
import { scopeOf, type IdentityContext } from '../context';
import { PermissionDeniedError } from '../shared/identity.errors';
import { assertMayCreateOrganization } from './organization-creation.policy';
import { assertSameOrganization, requireViewer, viewerCan } from '../../../../lib/src/index';

@Resolver(() => OrganizationType)
export class OrganizationResolver {
  @Query(() => OrganizationType, { description: 'The organization your token is scoped to' })
  async organization(@Ctx() ctx: IdentityContext): Promise<Organization> {
    return ctx.services.organizations.byId(requireViewer(ctx.viewer).organizationId);
  }

  @Query(() => [OrganizationType], { description: 'Organizations you belong to (sign in with organizationId to switch)' })
  async organizations(@Ctx() ctx: IdentityContext): Promise<Organization[]> {
    return ctx.services.organizations.ofUser(requireViewer(ctx.viewer).id);
  }

  @Mutation(() => OrganizationType, { description: 'Creates an organization with you as its owner. Needs org:manage unless the platform setting AIC_ORGANIZATION_CREATION is anyone (or nobody)' })
  async createOrganization(@Arg('input', () => CreateOrganizationInput) input: CreateOrganizationInput, @Ctx() ctx: IdentityContext): Promise<Organization> {
    const viewer = requireViewer(ctx.viewer);
    if (viewer.kind !== 'user') throw new PermissionDeniedError('Only users create organizations');
    assertMayCreateOrganization(ctx.services.organizationCreation, viewer);
    const owner = await ctx.em.findOneOrFail(User, { id: viewer.id });
    return ctx.services.organizations.create(input, owner, viewer, ctx.meta);
  }

  @FieldResolver(() => [RoleType])
  async roles(@Root() organization: Organization, @Ctx() ctx: IdentityContext): Promise<Role[]> {
    if (scopeOf(ctx).organizationId !== organization.id) throw new PermissionDeniedError('Resource belongs to another organization');
    return ctx.services.roles.list(organization.id);
  }

  @FieldResolver(() => [UserType], { description: 'Needs users:read' })
  async members(
    @Root() organization: Organization,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Ctx() ctx: IdentityContext,
  ): Promise<User[]> {
    assertSameOrganization(ctx.viewer, organization.id);
    if (!viewerCan(ctx.viewer, 'users:read')) throw new PermissionDeniedError('Missing permission users:read');
    return (await ctx.services.organizations.members(organization.id, Math.min(Math.max(first, 1), 200), Math.max(offset, 0))).users;
  }
}
