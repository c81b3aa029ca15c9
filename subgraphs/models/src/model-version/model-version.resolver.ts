import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { UploadTicket } from '../../../../lib/src/index';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelsContext } from '../context';
import { Model } from '../model/model.entity';
import { TrainingJob } from '../training/training-job.entity';
import { ModelVersion } from './model-version.entity';
import { CreateModelUploadInput, CreateModelVersionInput, DownloadTicket } from './model-version.input';

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @Query(() => ModelVersion, { nullable: true })
  modelVersion(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<ModelVersion> {
    return ctx.services.registry.getVersion(requestScope(ctx), id);
  }

  @Query(() => ModelVersion, {
    nullable: true,
    description: 'Resolves models:/<name>@<alias>, models:/<name>/<version> or models:/<name>/latest',
  })
  resolveModelUri(@Arg('uri', () => String) uri: string, @Ctx() ctx: ModelsContext): Promise<ModelVersion> {
    return ctx.services.registry.resolveUri(requestScope(ctx), uri);
  }

  @Mutation(() => UploadTicket, { description: 'Starts an ONNX upload; then createModelVersion with the upload id' })
  createModelUpload(
    @Arg('input', () => CreateModelUploadInput) input: CreateModelUploadInput,
    @Ctx() ctx: ModelsContext,
  ): UploadTicket {
    return ctx.services.modelUploads.createUpload(requestScope(ctx), input);
  }

  @Mutation(() => ModelVersion, {
    description:
      'Registers an uploaded ONNX file as the next version; a file onnxruntime cannot load is refused (BAD_USER_INPUT) and not kept',
  })
  createModelVersion(
    @Arg('input', () => CreateModelVersionInput) input: CreateModelVersionInput,
    @Ctx() ctx: ModelsContext,
  ): Promise<ModelVersion> {
    return ctx.services.modelUploads.createVersion(requestScope(ctx), input);
  }

  @Mutation(() => DownloadTicket, { description: "A signed URL for the version's ONNX file" })
  createModelVersionDownload(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<DownloadTicket> {
    return ctx.services.modelUploads.createDownload(requestScope(ctx), id);
  }

  @FieldResolver(() => Model)
  model(@Root() version: ModelVersion, @Ctx() ctx: ModelsContext): Promise<Model> {
    return ctx.services.registry.modelOf(requestScope(ctx), version);
  }

  @FieldResolver(() => TrainingJob, { nullable: true, description: 'The job that trained it (source TRAINING_JOB)' })
  async trainingJob(@Root() version: ModelVersion, @Ctx() ctx: ModelsContext): Promise<TrainingJob | null> {
    return ctx.services.training.jobOf(requestScope(ctx), version);
  }

  @FieldResolver(() => [String], { description: 'Aliases currently pointing at this version' })
  aliases(@Root() version: ModelVersion, @Ctx() ctx: ModelsContext): Promise<string[]> {
    return ctx.services.aliases.namesFor(requestScope(ctx), version);
  }
}
