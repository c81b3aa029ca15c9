import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { JSONObjectScalar } from '../common/json.scalar';
import { JobState } from '../common/enums';

/** Topic of training job events (per job id). */
export const TRAINING_JOB_TOPIC = 'MODELS_TRAINING_JOB';

/** A progress or state event of a training job (JSON, so it crosses Redis). */
@ObjectType({ description: 'A training job event: one per epoch (epoch set) and one per state change' })
export class TrainingJobEvent {
  @Field(() => ID) jobId!: string;
  @Field(() => JobState) state!: JobState;
  @Field(() => Int, { nullable: true, description: 'Set on epoch events' }) epoch?: number | null;
  @Field(() => Int) epochs!: number;
  @Field(() => Float, { nullable: true }) trainLoss?: number | null;
  @Field(() => Float, { nullable: true }) validationLoss?: number | null;
  @Field(() => JSONObjectScalar, { nullable: true }) metrics?: Record<string, number> | null;
  @Field(() => ID, { nullable: true }) modelVersionId?: string | null;
  @Field(() => String, { nullable: true }) error?: string | null;
}

/** True once a job can change no more. */
export function isTerminal(state: JobState): boolean {
  return state === JobState.SUCCEEDED || state === JobState.FAILED || state === JobState.CANCELLED;
}
