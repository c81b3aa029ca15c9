import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { requireViewer } from '../../../../lib/src/index';
import type { ModelsContext } from '../context';
import { TrainingJob } from './training-job.entity';
import { TrainingJobEvent } from './training-job.event';

@Resolver(() => TrainingJobEvent)
export class TrainingJobEventResolver {
  /** The job itself, so a progress stream can show its dataset (catalog) and creator (identity) per event. */
  @FieldResolver(() => TrainingJob, { nullable: true, description: 'The job, with its dataset and creator' })
  async job(@Root() event: TrainingJobEvent, @Ctx() ctx: ModelsContext): Promise<TrainingJob | null> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.em.fork().findOne(TrainingJob, { id: event.jobId, organizationId: viewer.organizationId });
  }
}
