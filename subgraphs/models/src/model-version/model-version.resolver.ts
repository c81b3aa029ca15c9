import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { BadUserInputError, UploadTicket, requireViewer } from '../../../../lib/src/index';
import { ModelVersionSource } from '../common/enums';
import type { ModelsContext } from '../context';
import { Model } from '../model/model.entity';
import { ModelAlias } from '../alias/model-alias.entity';
import { TrainingJob } from '../training/training-job.entity';
import { ModelVersion } from './model-version.entity';
import { CreateModelUploadInput, CreateModelVersionInput, DownloadTicket } from './model-version.input';

const UPLOAD_PURPOSES = ['MODEL_VERSION'];

function numericMetrics(metrics: Record<string, unknown> | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics ?? {})) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new BadUserInputError('Metrics must be numbers', [{ field: `metrics.${k}`, message: 'must be a finite number' }]);
    out[k] = v;
  }
  return out;
}

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @Query(() => ModelVersion)
  async modelVersion(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<ModelVersion> {
    return ctx.services.registry.getVersion(ctx.em, requireViewer(ctx.viewer).organizationId, id);
  }

  @Query(() => ModelVersion, { description: 'Resolves models:/<name>@<alias>, models:/<name>/<version> or models:/<name>/latest' })
  async resolveModelUri(@Arg('uri', () => String) uri: string, @Ctx() ctx: ModelsContext): Promise<ModelVersion> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.services.registry.resolveUri(ctx.em, viewer.organizationId, uri, (modelId, alias) => ctx.services.aliases.versionIdOf(ctx.em, modelId, alias));
  }

  @Mutation(() => UploadTicket, { description: 'Starts an ONNX upload; then createModelVersion with the upload id' })
  createModelUpload(@Arg('input', () => CreateModelUploadInput) input: CreateModelUploadInput, @Ctx() ctx: ModelsContext): UploadTicket {
    const viewer = requireViewer(ctx.viewer);
    if (!UPLOAD_PURPOSES.includes(input.purpose)) throw new BadUserInputError('Unknown upload purpose', [{ field: 'purpose', message: `one of ${UPLOAD_PURPOSES.join(', ')}` }]);
    if (!input.filename.trim()) throw new BadUserInputError('A filename is required', [{ field: 'filename', message: 'must not be empty' }]);
    if (input.size != null && !(input.size >= 0)) throw new BadUserInputError('Invalid size', [{ field: 'size', message: 'must be ≥ 0' }]);
    return ctx.services.uploads.create({ purpose: input.purpose, filename: input.filename, contentType: input.contentType ?? 'application/octet-stream', organizationId: viewer.organizationId, userId: viewer.id, ...(input.size != null ? { maxBytes: input.size } : {}) });
  }

  @Mutation(() => ModelVersion, { description: 'Registers an uploaded ONNX file as the next version; a file onnxruntime cannot load is refused (BAD_USER_INPUT) and not kept' })
  async createModelVersion(@Arg('input', () => CreateModelVersionInput) input: CreateModelVersionInput, @Ctx() ctx: ModelsContext): Promise<ModelVersion> {
    const viewer = requireViewer(ctx.viewer);
    const model = await ctx.services.registry.getModel(ctx.em, viewer.organizationId, input.modelId);
    const upload = await ctx.services.uploads.get(input.uploadId, viewer.organizationId);
    if (!upload) throw new BadUserInputError('Unknown or unfinished upload', [{ field: 'uploadId', message: 'PUT the file to the upload URL first' }]);
    if (upload.purpose !== 'MODEL_VERSION') throw new BadUserInputError('The upload was not made for a model version', [{ field: 'uploadId', message: 'wrong purpose' }]);
    return ctx.services.registry.registerStoredArtifact(ctx.em, model, viewer.id, { sha256: upload.sha256, size: upload.size }, {
      source: ModelVersionSource.UPLOAD,
      description: input.description ?? null,
      tags: input.tags ?? [],
      metrics: numericMetrics(input.metrics),
      parameters: { ...(input.parameters ?? {}), filename: upload.filename },
      datasetId: input.datasetId ?? null,
    });
  }

  @Mutation(() => DownloadTicket, { description: "A signed URL for the version's ONNX file" })
  async createModelVersionDownload(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<DownloadTicket> {
    const viewer = requireViewer(ctx.viewer);
    const version = await ctx.services.registry.getVersion(ctx.em, viewer.organizationId, id);
    const ticket = ctx.services.uploads.issueDownload({ sha256: version.sha256, filename: `${version.modelName}-v${version.version}.onnx`, contentType: 'application/octet-stream', organizationId: viewer.organizationId, userId: viewer.id });
    return { ...ticket, sha256: version.sha256, size: version.size };
  }

  @FieldResolver(() => Model)
  async model(@Root() version: ModelVersion, @Ctx() ctx: ModelsContext): Promise<Model> {
    return ctx.em.findOneOrFail(Model, { id: version.modelId });
  }

  @FieldResolver(() => TrainingJob, { nullable: true, description: 'The job that trained it (source TRAINING_JOB)' })
  async trainingJob(@Root() version: ModelVersion, @Ctx() ctx: ModelsContext): Promise<TrainingJob | null> {
    return version.trainingJobId ? ctx.em.findOne(TrainingJob, { id: version.trainingJobId }) : null;
  }

  @FieldResolver(() => [String], { description: 'Aliases currently pointing at this version' })
  async aliases(@Root() version: ModelVersion, @Ctx() ctx: ModelsContext): Promise<string[]> {
    return (await ctx.em.find(ModelAlias, { versionId: version.id }, { orderBy: { name: 'asc' } })).map((a) => a.name);
  }
}
