import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import { JobState } from '../common/enums';
import type { ModelsContext } from '../context';
import { ModelVersion } from '../model-version/model-version.entity';
import { TrainingEpochType } from './training-epoch.type';
import type { TrainingEpoch } from './training-job.entity';
import { TrainingJob } from './training-job.entity';
import { TrainingJobEvent } from './training-job.event';
import { StartTrainingJobInput } from './training-job.input';

@Resolver(() => TrainingJob)
export class TrainingJobResolver {
  @Query(() => TrainingJob, { nullable: true })
  trainingJob(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<TrainingJob> {
    return ctx.services.training.get(requestScope(ctx), id);
  }

  @Query(() => [TrainingJob], { nullable: true, description: 'Newest first' })
  trainingJobs(
    @Arg('state', () => JobState, { nullable: true }) state: JobState | null,
    @Arg('modelName', () => String, { nullable: true }) modelName: string | null,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit: number,
    @Ctx() ctx: ModelsContext,
  ): Promise<TrainingJob[]> {
    return ctx.services.training.list(requestScope(ctx), { state, modelName }, limit);
  }

  @Mutation(() => TrainingJob, {
    description: 'Queues a training job on a catalog dataset; watch it with trainingJobProgress',
  })
  startTrainingJob(
    @Arg('input', () => StartTrainingJobInput) input: StartTrainingJobInput,
    @Ctx() ctx: ModelsContext,
  ): Promise<TrainingJob> {
    return ctx.services.training.start(requestScope(ctx), input, ctx.authorization);
  }

  @Mutation(() => TrainingJob, { description: 'Cancels a queued or running job' })
  cancelTrainingJob(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<TrainingJob> {
    return ctx.services.training.cancel(requestScope(ctx), id);
  }

  @Subscription(() => TrainingJobEvent, {
    description:
      'Every epoch in order (persisted ones first), state changes, and the final state, after which the stream ends',
    subscribe: ({ args, context }) =>
      (context as ModelsContext).services.training.events(requestScope(context as ModelsContext), args.id as string),
  })
  trainingJobProgress(@Arg('id', () => ID) _id: string, @Root() event: TrainingJobEvent): TrainingJobEvent {
    return event;
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The registered result (SUCCEEDED jobs)' })
  async modelVersion(@Root() job: TrainingJob, @Ctx() ctx: ModelsContext): Promise<ModelVersion | null> {
    return ctx.services.registry.versionById(requestScope(ctx), job.modelVersionId);
  }

  @FieldResolver(() => [TrainingEpochType], { description: 'Loss and metrics per epoch of the current attempt' })
  history(@Root() job: TrainingJob, @Ctx() ctx: ModelsContext): Promise<TrainingEpoch[]> {
    return ctx.services.training.history(requestScope(ctx), job);
  }
}
