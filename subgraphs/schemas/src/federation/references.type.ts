import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Owned by identity. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('User')
export class UserRef {
  @Field(() => ID) id!: string;
}

/** Owned by identity. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Organization')
export class OrganizationRef {
  @Field(() => ID) id!: string;
}
