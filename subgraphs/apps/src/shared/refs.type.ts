import { Directive, Field, ID, ObjectType } from 'type-graphql';

// Types owned by other subgraphs: key-only stubs. Declared before the classes that use them, since
// decorator metadata is evaluated at class definition.

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

/** Owned by inference. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Endpoint')
export class EndpointRef {
  @Field(() => ID) id!: string;
}

/** Owned by models. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('ModelVersion')
export class ModelVersionRef {
  @Field(() => ID) id!: string;
}

/** Owned by schemas. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('SchemaVersion')
export class SchemaVersionRef {
  @Field(() => ID) id!: string;
}
