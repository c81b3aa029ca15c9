import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A named permission set of one organization. */
@Directive('@key(fields: "id")')
@ObjectType('Role', { description: 'A named set of permissions in one organization (built-in or custom)' })
export class RoleType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  description!: string;

  @Field(() => Boolean, {
    description: 'Built-in roles (owner, admin, ml-engineer, data-scientist, viewer) cannot be changed',
  })
  builtIn!: boolean;

  @Field(() => Date)
  createdAt!: Date;
}
