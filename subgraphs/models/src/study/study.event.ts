import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { JobState, TrialState } from '../common/enums';

export const STUDY_TOPIC = 'MODELS_STUDY';

/** A study event: a trial report, a trial outcome, or a study state change. */
@ObjectType({ description: 'Study progress: trial reports (step and value), trial outcomes and study state changes' })
export class StudyEvent {
  @Field(() => ID) studyId!: string;
  @Field(() => JobState) state!: JobState;
  @Field(() => Int, { nullable: true }) trialNumber?: number | null;
  @Field(() => TrialState, { nullable: true }) trialState?: TrialState | null;
  @Field(() => Int, { nullable: true }) step?: number | null;
  @Field(() => Float, { nullable: true }) value?: number | null;
  @Field(() => Int, { nullable: true }) bestTrialNumber?: number | null;
  @Field(() => Float, { nullable: true }) bestValue?: number | null;
  @Field(() => ID, { nullable: true }) modelVersionId?: string | null;
  @Field(() => String, { nullable: true }) error?: string | null;
}
