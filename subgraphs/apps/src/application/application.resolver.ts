import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { AppsContext } from '../context';
import { ConfigVersion } from '../config-version/config-version.entity';
import { Deployment } from '../deployment/deployment.entity';
import { Application } from './application.entity';
import { CreateApplicationInput, UpdateApplicationInput } from './application.input';

@Resolver(() => Application)
export class ApplicationResolver {
  @Query(() => Application, { nullable: true })
  application(@Arg('id', () => ID) id: string, @Ctx() ctx: AppsContext): Promise<Application> {
    return ctx.services.applications.get(requestScope(ctx), id);
  }

  @Query(() => [Application], { nullable: true, description: "The organization's applications" })
  applications(@Ctx() ctx: AppsContext): Promise<Application[]> {
    return ctx.services.applications.list(requestScope(ctx));
  }

  @Mutation(() => Application)
  createApplication(
    @Arg('input', () => CreateApplicationInput) input: CreateApplicationInput,
    @Ctx() ctx: AppsContext,
  ): Promise<Application> {
    return ctx.services.applications.create(requestScope(ctx), input);
  }

  @Mutation(() => Application)
  updateApplication(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateApplicationInput) input: UpdateApplicationInput,
    @Ctx() ctx: AppsContext,
  ): Promise<Application> {
    return ctx.services.applications.update(requestScope(ctx), id, input);
  }

  @FieldResolver(() => [Deployment], {
    description: 'Current deployments, one per environment (deleted ones left out)',
  })
  deployments(@Root() app: Application, @Ctx() ctx: AppsContext): Promise<Deployment[]> {
    return ctx.services.applications.deploymentsOf(requestScope(ctx), app);
  }

  @FieldResolver(() => [ConfigVersion], { description: 'Newest first' })
  configVersions(@Root() app: Application, @Ctx() ctx: AppsContext): Promise<ConfigVersion[]> {
    return ctx.services.configVersions.listOf(requestScope(ctx), app);
  }
}
