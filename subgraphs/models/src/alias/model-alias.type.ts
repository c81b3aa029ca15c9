import { Field, Int, ObjectType } from 'type-graphql';
import { UserRef } from '../dataset/dataset.reference';

/**
 * The GraphQL `ModelAlias`: the fields of a `ModelAlias` row shown to clients (resolvers return the
 * entity; type-graphql copies it into this class for `updatedBy`). A type of its own because the
 * base entity's GraphQL type brings an `id` this type never had.
 */
@ObjectType('ModelAlias', { description: 'A named pointer (champion, production, ...) to a version of the model' })
export class ModelAliasType {
  @Field(() => String) name!: string;
  @Field(() => Int) version!: number;
  @Field(() => Date) updatedAt!: Date;
  updatedById!: string;

  @Field(() => UserRef)
  updatedBy(): UserRef {
    return { id: this.updatedById };
  }
}
