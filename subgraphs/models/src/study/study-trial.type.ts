import { Field, Float, Int, ObjectType } from 'type-graphql';
import { JSONScalar } from '../common/json.scalar';
import { TrialState } from '../common/enums';

@ObjectType()
export class TrialReport {
  @Field(() => Int) step!: number;
  @Field(() => Float) value!: number;
}

/**
 * The GraphQL `StudyTrial`: the fields of a `StudyTrial` row shown to clients (resolvers return the
 * entity; type-graphql copies it into this class for `reports`). A type of its own because the base
 * entity's GraphQL type brings an `id` this type never had.
 */
@ObjectType('StudyTrial', { description: 'One trial: its parameters, reported values per epoch and outcome' })
export class StudyTrialType {
  @Field(() => Int) number!: number;
  @Field(() => TrialState) state!: TrialState;
  @Field(() => JSONScalar) params!: Record<string, unknown>;
  @Field(() => Float, { nullable: true }) value?: number | null;
  @Field(() => String, { nullable: true }) error?: string | null;
  @Field(() => Date, { name: 'startedAt' }) createdAt!: Date;
  @Field(() => Date, { nullable: true }) finishedAt?: Date | null;
  intermediateValues!: [number, number][];

  @Field(() => [TrialReport], { description: 'Objective value reported after each epoch' })
  reports(): TrialReport[] {
    return this.intermediateValues.map(([step, value]) => ({ step, value }));
  }
}
