import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { requireViewer } from '../../../../lib/src/index';
import type { AppsContext } from '../context';
import { forwardedAuthorization } from '../context';
import { ConfigEntryType, ConfigVersion, toConfigEntryType } from './config-version.entity';
import { CreateConfigVersionInput } from './config-version.input';

@ObjectType({ description: 'A key that differs between two config versions' })
export class ConfigChange {
  @Field(() => String) key!: string;
  @Field(() => String, { description: 'ADDED, REMOVED or CHANGED' }) change!: string;
  @Field(() => ConfigEntryType, { nullable: true }) before!: ConfigEntryType | null;
  @Field(() => ConfigEntryType, { nullable: true }) after!: ConfigEntryType | null;
}

@Resolver(() => ConfigVersion)
export class ConfigVersionResolver {
  @Query(() => ConfigVersion)
  configVersion(@Arg('id', () => ID) id: string, @Ctx() ctx: AppsContext): Promise<ConfigVersion> {
    return ctx.services.configVersions.get(ctx.em, ctx.viewer, id);
  }

  @Query(() => [ConfigChange], { description: 'What changed from one version to another of the same application' })
  async configDiff(@Arg('from', () => ID) from: string, @Arg('to', () => ID) to: string, @Ctx() ctx: AppsContext): Promise<ConfigChange[]> {
    const changes = await ctx.services.configVersions.diff(ctx.em, requireViewer(ctx.viewer), from, to);
    return changes.map((c) => ({ key: c.key, change: c.change, before: c.before && toConfigEntryType(c.before), after: c.after && toConfigEntryType(c.after) }));
  }

  @Mutation(() => ConfigVersion)
  createConfigVersion(@Arg('input', () => CreateConfigVersionInput) input: CreateConfigVersionInput, @Ctx() ctx: AppsContext): Promise<ConfigVersion> {
    return ctx.services.configVersions.create(ctx.em, requireViewer(ctx.viewer), input, forwardedAuthorization(ctx));
  }

  @Mutation(() => ConfigVersion, { description: 'A new version with exactly the entries of an earlier one' })
  restoreConfigVersion(@Arg('applicationId', () => ID) applicationId: string, @Arg('version', () => Int) version: number, @Ctx() ctx: AppsContext): Promise<ConfigVersion> {
    return ctx.services.configVersions.restore(ctx.em, requireViewer(ctx.viewer), applicationId, version);
  }
}
