import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelsContext } from '../context';
import { TrainingJob } from './training-job.entity';
import { TrainingJobEvent } from './training-job.event';

@Resolver(() => TrainingJobEvent)
export class TrainingJobEventResolver {
  /** The job itself, so a progress stream can show its dataset (catalog) and creator (identity) per event. */
  @FieldResolver(() => TrainingJob, { nullable: true, description: 'The job, with its dataset and creator' })
  job(@Root() event: TrainingJobEvent, @Ctx() ctx: ModelsContext): Promise<TrainingJob | null> {
    return ctx.services.training.jobOfEvent(requestScope(ctx), event);
  }
}
