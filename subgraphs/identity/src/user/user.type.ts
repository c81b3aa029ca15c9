import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A person or machine identity. Resolvers return the User entity; only these fields are public. */
@Directive('@key(fields: "id")')
@ObjectType('User', { description: 'A person or a machine identity; belongs to one or more organizations' })
export class UserType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Boolean)
  disabled!: boolean;

  @Field(() => Date, { nullable: true })
  lastLoginAt?: Date | null;

  @Field(() => Date)
  createdAt!: Date;
}
