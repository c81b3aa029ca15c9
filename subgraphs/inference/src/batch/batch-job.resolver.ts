import {
  Arg,
  Ctx,
  Field,
  Float,
  FieldResolver,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import { DatasetRef, UserRef } from '../common/refs.type';
import type { InferenceContext } from '../context';
import { Endpoint } from '../endpoint/endpoint.entity';
import { BatchInferenceJob, BatchInputKind, BatchJobStatus } from './batch-job.entity';
import { StartBatchInferenceInput } from './batch-job.input';

@ObjectType({ description: 'Progress of a batch inference job' })
export class BatchProgressEvent {
  @Field(() => ID) id!: string;
  @Field(() => BatchJobStatus) status!: BatchJobStatus;
  @Field(() => Int) rowsDone!: number;
  @Field(() => Int) rowsTotal!: number;
  @Field(() => Int, { description: 'Rows that got no prediction so far' }) rowsFailed!: number;
  @Field(() => Float) progress!: number;
  @Field(() => DatasetRef, { nullable: true }) outputDataset?: DatasetRef | null;
  @Field(() => String, { nullable: true }) error?: string | null;
}

@ObjectType({ description: 'Which dataset columns fed one model input, as the job was started' })
export class BatchColumnMapping {
  @Field(() => String) input!: string;
  @Field(() => [String]) columns!: string[];
  @Field(() => BatchInputKind) kind!: BatchInputKind;
  @Field(() => Int, { nullable: true, description: 'AUDIO: the sample rate the model takes, in Hz' })
  sampleRate!: number | null;
  @Field(() => [Float], { nullable: true, description: 'IMAGE: per-channel mean subtracted after scaling to [0, 1]' })
  mean!: number[] | null;
  @Field(() => [Float], { nullable: true, description: 'IMAGE: per-channel standard deviation divided by' })
  std!: number[] | null;
}

interface ProgressPayload {
  id: string;
  status: BatchJobStatus;
  rowsDone: number;
  rowsTotal: number;
  rowsFailed?: number;
  outputDatasetId: string | null;
  error: string | null;
}

@Resolver(() => BatchInferenceJob)
export class BatchJobResolver {
  @Mutation(() => BatchInferenceJob, {
    description: 'Runs an endpoint over every row of a catalog dataset and writes a predictions dataset',
  })
  startBatchInference(
    @Arg('input', () => StartBatchInferenceInput) input: StartBatchInferenceInput,
    @Ctx() ctx: InferenceContext,
  ): Promise<BatchInferenceJob> {
    return ctx.services.batch.start(requestScope(ctx), input, ctx.authorization);
  }

  @Mutation(() => BatchInferenceJob)
  cancelBatchInference(@Arg('id', () => ID) id: string, @Ctx() ctx: InferenceContext): Promise<BatchInferenceJob> {
    return ctx.services.batch.cancel(requestScope(ctx), id);
  }

  @Query(() => BatchInferenceJob, { nullable: true })
  batchInferenceJob(@Arg('id', () => ID) id: string, @Ctx() ctx: InferenceContext): Promise<BatchInferenceJob> {
    return ctx.services.batch.get(requestScope(ctx), id);
  }

  @Query(() => [BatchInferenceJob], { nullable: true })
  batchInferenceJobs(@Ctx() ctx: InferenceContext): Promise<BatchInferenceJob[]> {
    return ctx.services.batch.list(requestScope(ctx));
  }

  @FieldResolver(() => Endpoint, { nullable: true, description: 'Null when the endpoint was deleted' })
  endpoint(@Root() job: BatchInferenceJob, @Ctx() ctx: InferenceContext): Promise<Endpoint | null> {
    return ctx.services.batch.endpointOf(requestScope(ctx), job);
  }

  @FieldResolver(() => [BatchColumnMapping], { description: 'How the dataset fed the model (kind COLUMNS by default)' })
  mapping(@Root() job: BatchInferenceJob): BatchColumnMapping[] {
    return job.mapping.map((m) => ({
      input: m.input,
      columns: m.columns,
      kind: m.kind ?? BatchInputKind.COLUMNS,
      sampleRate: m.sampleRate ?? null,
      mean: m.mean ?? null,
      std: m.std ?? null,
    }));
  }

  @FieldResolver(() => DatasetRef)
  dataset(@Root() job: BatchInferenceJob): DatasetRef {
    return { id: job.datasetId };
  }

  @FieldResolver(() => DatasetRef, { nullable: true })
  outputDataset(@Root() job: BatchInferenceJob): DatasetRef | null {
    return job.outputDatasetId ? { id: job.outputDatasetId } : null;
  }

  @FieldResolver(() => UserRef)
  createdBy(@Root() job: BatchInferenceJob): UserRef {
    return { id: job.createdById };
  }

  @Subscription(() => BatchProgressEvent, {
    description: 'Progress of a batch job until it ends',
    subscribe: async ({ args, context }) => {
      const ctx = context as InferenceContext;
      return ctx.services.batch.progress(requestScope(ctx), args.job as string);
    },
  })
  batchInferenceProgress(@Root() p: ProgressPayload, @Arg('job', () => ID) _job: string): BatchProgressEvent {
    return {
      id: p.id,
      status: p.status,
      rowsDone: p.rowsDone,
      rowsTotal: p.rowsTotal,
      rowsFailed: p.rowsFailed ?? 0,
      progress: p.rowsTotal > 0 ? p.rowsDone / p.rowsTotal : 0,
      outputDataset: p.outputDatasetId ? { id: p.outputDatasetId } : null,
      error: p.error,
    };
  }
}
