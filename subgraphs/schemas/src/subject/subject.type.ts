import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** GraphQL view of a subject; fields beyond these are resolved by SubjectResolver. */
@Directive('@key(fields: "id")')
@ObjectType({ description: 'A named sequence of schema versions in an organization' })
export class Subject {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => Boolean, { description: 'Soft-deleted' }) deleted!: boolean;
  @Field(() => Date) createdAt!: Date;
}
