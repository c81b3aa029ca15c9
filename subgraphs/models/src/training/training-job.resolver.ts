import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requireViewer } from '../../../../lib/src/index';
import { JobState } from '../common/enums';
import type { ModelsContext } from '../context';
import { ModelVersion } from '../model-version/model-version.entity';
import { TrainingEpoch, TrainingJob } from './training-job.entity';
import { TrainingJobEvent } from './training-job.event';
import { StartTrainingJobInput } from './training-job.input';

@Resolver(() => TrainingJob)
export class TrainingJobResolver {
  @Query(() => TrainingJob)
  async trainingJob(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<TrainingJob> {
    return ctx.services.training.get(ctx.em, requireViewer(ctx.viewer).organizationId, id);
  }

  @Query(() => [TrainingJob], { description: 'Newest first' })
  async trainingJobs(
    @Arg('state', () => JobState, { nullable: true }) state: JobState | null,
    @Arg('modelName', () => String, { nullable: true }) modelName: string | null,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit: number,
    @Ctx() ctx: ModelsContext,
  ): Promise<TrainingJob[]> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.em.find(
      TrainingJob,
      { organizationId: viewer.organizationId, ...(state ? { state } : {}), ...(modelName ? { modelName } : {}) },
      { orderBy: { createdAt: 'desc' }, limit: Math.min(Math.max(1, limit), 500) },
    );
  }

  @Mutation(() => TrainingJob, { description: 'Queues a training job on a catalog dataset; watch it with trainingJobProgress' })
  async startTrainingJob(@Arg('input', () => StartTrainingJobInput) input: StartTrainingJobInput, @Ctx() ctx: ModelsContext): Promise<TrainingJob> {
    return ctx.services.training.start(ctx.em, requireViewer(ctx.viewer), input);
  }

  @Mutation(() => TrainingJob, { description: 'Cancels a queued or running job' })
  async cancelTrainingJob(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<TrainingJob> {
    return ctx.services.training.cancel(ctx.em, requireViewer(ctx.viewer), id);
  }

  @Subscription(() => TrainingJobEvent, {
    description: 'Every epoch in order (persisted ones first), state changes, and the final state, after which the stream ends',
    subscribe: ({ args, context }) => (context as ModelsContext).services.training.events(requireViewer((context as ModelsContext).viewer).organizationId, args.id as string),
  })
  trainingJobProgress(@Arg('id', () => ID) _id: string, @Root() event: TrainingJobEvent): TrainingJobEvent {
    return event;
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The registered result (SUCCEEDED jobs)' })
  async modelVersion(@Root() job: TrainingJob, @Ctx() ctx: ModelsContext): Promise<ModelVersion | null> {
    return job.modelVersionId ? ctx.em.findOne(ModelVersion, { id: job.modelVersionId }) : null;
  }

  @FieldResolver(() => [TrainingEpoch], { description: 'Loss and metrics per epoch of the current attempt' })
  async history(@Root() job: TrainingJob, @Ctx() ctx: ModelsContext): Promise<TrainingEpoch[]> {
    return ctx.em.find(TrainingEpoch, { jobId: job.id }, { orderBy: { epoch: 'asc' } });
  }
}
