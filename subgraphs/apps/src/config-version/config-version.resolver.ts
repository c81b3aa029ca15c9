import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { AppsContext } from '../context';
import { forwardedAuthorization } from '../context';
import { ConfigVersion } from './config-version.entity';
import { CreateConfigVersionInput } from './config-version.input';
import { ConfigChange } from './config-version.type';

@Resolver(() => ConfigVersion)
export class ConfigVersionResolver {
  @Query(() => ConfigVersion, { nullable: true })
  configVersion(@Arg('id', () => ID) id: string, @Ctx() ctx: AppsContext): Promise<ConfigVersion> {
    return ctx.services.configVersions.get(requestScope(ctx), id);
  }

  @Query(() => [ConfigChange], {
    nullable: true,
    description: 'What changed from one version to another of the same application',
  })
  configDiff(
    @Arg('from', () => ID) from: string,
    @Arg('to', () => ID) to: string,
    @Ctx() ctx: AppsContext,
  ): Promise<ConfigChange[]> {
    return ctx.services.configVersions.diff(requestScope(ctx), from, to);
  }

  @Mutation(() => ConfigVersion)
  createConfigVersion(
    @Arg('input', () => CreateConfigVersionInput) input: CreateConfigVersionInput,
    @Ctx() ctx: AppsContext,
  ): Promise<ConfigVersion> {
    return ctx.services.configVersions.create(requestScope(ctx), input, forwardedAuthorization(ctx));
  }

  @Mutation(() => ConfigVersion, { description: 'A new version with exactly the entries of an earlier one' })
  restoreConfigVersion(
    @Arg('applicationId', () => ID) applicationId: string,
    @Arg('version', () => Int) version: number,
    @Ctx() ctx: AppsContext,
  ): Promise<ConfigVersion> {
    return ctx.services.configVersions.restore(requestScope(ctx), applicationId, version);
  }
}
