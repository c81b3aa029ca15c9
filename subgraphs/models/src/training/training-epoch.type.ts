import { Field, Float, Int, ObjectType } from 'type-graphql';
import { JSONObjectScalar } from '../common/json.scalar';

/**
 * The GraphQL `TrainingEpoch`: the fields of a `TrainingEpoch` row shown to clients (resolvers return the
 * entity). A type of its own because the base entity's GraphQL type brings an `id` this type never had.
 */
@ObjectType('TrainingEpoch', { description: 'Loss and validation metrics after one epoch' })
export class TrainingEpochType {
  @Field(() => Int) epoch!: number;
  @Field(() => Float) trainLoss!: number;
  @Field(() => Float) validationLoss!: number;
  @Field(() => JSONObjectScalar) metrics!: Record<string, number>;
  @Field(() => Date, { name: 'at' }) createdAt!: Date;
}
