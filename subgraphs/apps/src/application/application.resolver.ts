import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireViewer } from '../../../../lib/src/index';
import type { AppsContext } from '../context';
import { ConfigVersion } from '../config-version/config-version.entity';
import { Deployment } from '../deployment/deployment.entity';
import { DeploymentStatus } from '../deployment/deployment.model';
import { Application } from './application.entity';
import { CreateApplicationInput, UpdateApplicationInput } from './application.input';

@Resolver(() => Application)
export class ApplicationResolver {
  @Query(() => Application)
  application(@Arg('id', () => ID) id: string, @Ctx() ctx: AppsContext): Promise<Application> {
    return ctx.services.applications.get(ctx.em, ctx.viewer, id);
  }

  @Query(() => [Application], { description: "The organization's applications" })
  applications(@Ctx() ctx: AppsContext): Promise<Application[]> {
    return ctx.services.applications.list(ctx.em, requireViewer(ctx.viewer));
  }

  @Mutation(() => Application)
  createApplication(@Arg('input', () => CreateApplicationInput) input: CreateApplicationInput, @Ctx() ctx: AppsContext): Promise<Application> {
    return ctx.services.applications.create(ctx.em, requireViewer(ctx.viewer), input);
  }

  @Mutation(() => Application)
  updateApplication(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateApplicationInput) input: UpdateApplicationInput, @Ctx() ctx: AppsContext): Promise<Application> {
    return ctx.services.applications.update(ctx.em, requireViewer(ctx.viewer), id, input);
  }

  @FieldResolver(() => [Deployment], { description: 'Current deployments, one per environment (deleted ones left out)' })
  deployments(@Root() app: Application, @Ctx() ctx: AppsContext): Promise<Deployment[]> {
    return ctx.em.find(Deployment, { applicationId: app.id, status: { $ne: DeploymentStatus.DELETED } }, { orderBy: { environment: 'asc' } });
  }

  @FieldResolver(() => [ConfigVersion], { description: 'Newest first' })
  configVersions(@Root() app: Application, @Ctx() ctx: AppsContext): Promise<ConfigVersion[]> {
    return ctx.services.configVersions.list(ctx.em, app.id);
  }
}
