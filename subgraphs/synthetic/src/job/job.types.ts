import { Field, Float, ObjectType } from 'type-graphql';
import { SyntheticColumnHandling } from './job.enums';

@ObjectType({ description: 'A constraint every generated row obeys.' })
export class SyntheticConstraint {
  @Field(() => String) column!: string;
  @Field(() => Float, { nullable: true }) min!: number | null;
  @Field(() => Float, { nullable: true }) max!: number | null;
  @Field(() => [String], { nullable: true }) allowedValues!: string[] | null;
}

@ObjectType({ description: 'How one column is handled.' })
export class SyntheticColumnRule {
  @Field(() => String) column!: string;
  @Field(() => SyntheticColumnHandling) handling!: SyntheticColumnHandling;
}
