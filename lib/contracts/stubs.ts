// Key-only stubs of entities other subgraphs own: a subgraph that points at a foreign entity (a
// dataset's owner, an endpoint's model versions ...) returns one of these, and the router fetches the
// rest from the owner. One class per foreign entity, shared by every subgraph: type-graphql keeps
// its metadata per class, and each buildSchema call includes only the classes its resolvers reach,
// so two subgraph schemas built in one process (test/support/platform.ts) may share a stub; a
// subgraph must never reach the stub of an entity it owns (its own class has the same name).
// The order of the classes is the order of the stub types in each subgraph's printed SDL.
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

/** Owned by catalog. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Dataset')
export class DatasetRef {
  @Field(() => ID) id!: string;
}
