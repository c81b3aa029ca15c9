import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A tenant. Resolvers return the Organization entity; only these fields are public. */
@Directive('@key(fields: "id")')
@ObjectType('Organization', { description: 'A tenant: users, roles and every resource belong to one' })
export class OrganizationType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Unique, URL-safe name' })
  slug!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Date)
  createdAt!: Date;
}
