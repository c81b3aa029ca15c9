import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireViewer } from '../../../../lib/src/index';
import { ModelAlias, ModelAliasEvent } from '../alias/model-alias.entity';
import type { ModelsContext } from '../context';
import { UserRef } from '../dataset/dataset.reference';
import { ModelVersion } from '../model-version/model-version.entity';
import { Model } from './model.entity';
import { CreateModelInput, UpdateModelInput } from './model.input';

@Resolver(() => Model)
export class ModelResolver {
  @Query(() => [Model], { description: 'Models of the organization, by name' })
  async models(@Arg('tag', () => String, { nullable: true }) tag: string | null, @Ctx() ctx: ModelsContext): Promise<Model[]> {
    const viewer = requireViewer(ctx.viewer);
    const models = await ctx.em.find(Model, { organizationId: viewer.organizationId }, { orderBy: { name: 'asc' } });
    return tag ? models.filter((m) => m.tags.includes(tag)) : models;
  }

  @Query(() => Model)
  async model(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<Model> {
    return ctx.services.registry.getModel(ctx.em, requireViewer(ctx.viewer).organizationId, id);
  }

  @Query(() => Model, { nullable: true })
  async modelByName(@Arg('name', () => String) name: string, @Ctx() ctx: ModelsContext): Promise<Model | null> {
    return ctx.em.findOne(Model, { organizationId: requireViewer(ctx.viewer).organizationId, name });
  }

  @Mutation(() => Model)
  async createModel(@Arg('input', () => CreateModelInput) input: CreateModelInput, @Ctx() ctx: ModelsContext): Promise<Model> {
    return ctx.services.registry.createModel(ctx.em, requireViewer(ctx.viewer), input);
  }

  @Mutation(() => Model)
  async updateModel(@Arg('input', () => UpdateModelInput) input: UpdateModelInput, @Ctx() ctx: ModelsContext): Promise<Model> {
    const model = await ctx.services.registry.getModel(ctx.em, requireViewer(ctx.viewer).organizationId, input.id);
    if (input.description !== undefined) model.description = input.description;
    if (input.tags) model.tags = input.tags;
    await ctx.em.flush();
    return model;
  }

  @FieldResolver(() => [ModelVersion], { description: 'Newest first' })
  async versions(@Root() model: Model, @Ctx() ctx: ModelsContext): Promise<ModelVersion[]> {
    return ctx.em.find(ModelVersion, { modelId: model.id }, { orderBy: { version: 'desc' } });
  }

  @FieldResolver(() => ModelVersion, { nullable: true })
  async version(@Root() model: Model, @Arg('version', () => Int) version: number, @Ctx() ctx: ModelsContext): Promise<ModelVersion | null> {
    return ctx.em.findOne(ModelVersion, { modelId: model.id, version });
  }

  @FieldResolver(() => ModelVersion, { nullable: true })
  async latestVersion(@Root() model: Model, @Ctx() ctx: ModelsContext): Promise<ModelVersion | null> {
    return ctx.em.findOne(ModelVersion, { modelId: model.id, version: model.latestVersionNumber });
  }

  @FieldResolver(() => [ModelAlias])
  async aliases(@Root() model: Model, @Ctx() ctx: ModelsContext): Promise<ModelAlias[]> {
    return ctx.services.aliases.aliasesOf(ctx.em, model.id);
  }

  @FieldResolver(() => [ModelAliasEvent], { description: 'Audit history of alias moves, oldest first' })
  async aliasHistory(@Root() model: Model, @Arg('alias', () => String, { nullable: true }) alias: string | null, @Ctx() ctx: ModelsContext): Promise<ModelAliasEvent[]> {
    return ctx.services.aliases.history(ctx.em, model.id, alias);
  }

  @FieldResolver(() => UserRef)
  createdBy(@Root() model: Model): UserRef {
    return { id: model.createdById };
  }
}
