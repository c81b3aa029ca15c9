import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Owned by catalog: a key-only stub. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Dataset')
export class DatasetRef {
  @Field(() => ID) id!: string;
}

/** Owned by schemas: a key-only stub. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('SchemaVersion')
export class SchemaVersionRef {
  @Field(() => ID) id!: string;
}

/** Owned by identity: a key-only stub. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('User')
export class UserRef {
  @Field(() => ID) id!: string;
}

/** Owned by identity: a key-only stub. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Organization')
export class OrganizationRef {
  @Field(() => ID) id!: string;
}
