import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelAlias } from '../alias/model-alias.entity';
import { ModelAliasEvent } from '../alias/model-alias.entity';
import { ModelAliasType } from '../alias/model-alias.type';
import type { ModelsContext } from '../context';
import { UserRef } from '../dataset/dataset.reference';
import { ModelVersion } from '../model-version/model-version.entity';
import { Model } from './model.entity';
import { CreateModelInput, UpdateModelInput } from './model.input';

@Resolver(() => Model)
export class ModelResolver {
  @Query(() => [Model], { nullable: true, description: 'Models of the organization, by name' })
  models(
    @Arg('tag', () => String, { nullable: true }) tag: string | null,
    @Ctx() ctx: ModelsContext,
  ): Promise<Model[]> {
    return ctx.services.registry.list(requestScope(ctx), tag);
  }

  @Query(() => Model, { nullable: true })
  model(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<Model> {
    return ctx.services.registry.getModel(requestScope(ctx), id);
  }

  @Query(() => Model, { nullable: true })
  modelByName(@Arg('name', () => String) name: string, @Ctx() ctx: ModelsContext): Promise<Model | null> {
    return ctx.services.registry.byName(requestScope(ctx), name);
  }

  @Mutation(() => Model)
  createModel(
    @Arg('input', () => CreateModelInput) input: CreateModelInput,
    @Ctx() ctx: ModelsContext,
  ): Promise<Model> {
    return ctx.services.registry.createModel(requestScope(ctx), input);
  }

  @Mutation(() => Model)
  updateModel(
    @Arg('input', () => UpdateModelInput) input: UpdateModelInput,
    @Ctx() ctx: ModelsContext,
  ): Promise<Model> {
    return ctx.services.registry.updateModel(requestScope(ctx), input);
  }

  @FieldResolver(() => [ModelVersion], { description: 'Newest first' })
  versions(@Root() model: Model, @Ctx() ctx: ModelsContext): Promise<ModelVersion[]> {
    return ctx.services.registry.versionsOf(requestScope(ctx), model);
  }

  @FieldResolver(() => ModelVersion, { nullable: true })
  version(
    @Root() model: Model,
    @Arg('version', () => Int) version: number,
    @Ctx() ctx: ModelsContext,
  ): Promise<ModelVersion | null> {
    return ctx.services.registry.versionOf(requestScope(ctx), model, version);
  }

  @FieldResolver(() => ModelVersion, { nullable: true })
  latestVersion(@Root() model: Model, @Ctx() ctx: ModelsContext): Promise<ModelVersion | null> {
    return ctx.services.registry.latestVersionOf(requestScope(ctx), model);
  }

  @FieldResolver(() => [ModelAliasType])
  aliases(@Root() model: Model, @Ctx() ctx: ModelsContext): Promise<ModelAlias[]> {
    return ctx.services.aliases.aliasesOf(requestScope(ctx), model);
  }

  @FieldResolver(() => [ModelAliasEvent], { description: 'Audit history of alias moves, oldest first' })
  aliasHistory(
    @Root() model: Model,
    @Arg('alias', () => String, { nullable: true }) alias: string | null,
    @Ctx() ctx: ModelsContext,
  ): Promise<ModelAliasEvent[]> {
    return ctx.services.aliases.history(requestScope(ctx), model, alias);
  }

  @FieldResolver(() => UserRef)
  createdBy(@Root() model: Model): UserRef {
    return { id: model.createdById };
  }
}
