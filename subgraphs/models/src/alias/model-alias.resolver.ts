import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, Resolver, Root } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelsContext } from '../context';
import { ModelVersion } from '../model-version/model-version.entity';
import type { ModelAlias } from './model-alias.entity';
import { ModelAliasType } from './model-alias.type';

@InputType()
export class SetModelAliasInput {
  @Field(() => ID) modelId!: string;
  @Field(() => String, { description: 'champion, production, ... (any name)' }) alias!: string;
  @Field(() => ID) versionId!: string;
  @Field(() => String, { nullable: true, description: 'Recorded in the audit history' }) reason?: string | null;
}

@Resolver(() => ModelAliasType)
export class ModelAliasResolver {
  @Mutation(() => ModelAliasType, {
    description: 'Points an alias at a version (needs models:promote); recorded in the audit history',
  })
  setModelAlias(
    @Arg('input', () => SetModelAliasInput) input: SetModelAliasInput,
    @Ctx() ctx: ModelsContext,
  ): Promise<ModelAlias> {
    return ctx.services.aliases.setAlias(requestScope(ctx), input);
  }

  @Mutation(() => Boolean, { description: 'Removes an alias (needs models:promote); recorded in the audit history' })
  deleteModelAlias(
    @Arg('modelId', () => ID) modelId: string,
    @Arg('alias', () => String) alias: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: ModelsContext,
  ): Promise<boolean> {
    return ctx.services.aliases.deleteAlias(requestScope(ctx), modelId, alias, reason);
  }

  @FieldResolver(() => ModelVersion)
  modelVersion(@Root() alias: ModelAlias, @Ctx() ctx: ModelsContext): Promise<ModelVersion> {
    return ctx.services.aliases.targetOf(requestScope(ctx), alias);
  }
}
