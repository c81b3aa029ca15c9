import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

/*
 * The base entities every subgraph's entities extend. Pick the most specific one that fits:
 *
 *   PlatformEntity             id, createdAt                 (every entity)
 *   OrganizationEntity         + organizationId              (owned by one organization)
 *   TrackedOrganizationEntity  + updatedAt (set on change)   (changed after creation and shown as such)
 *
 * Each class is both an abstract MikroORM entity and a type-graphql object type, so one subclass can be
 * the table, the GraphQL type and the federation entity at once (STACK.md). Every decorator carries
 * its type, so the classes work under tsc, tsx (esbuild, no decorator metadata) and vitest alike.
 *
 * GraphQL: a subclass that is an `@ObjectType` gets `id: ID!` as its first field and nothing else.
 * type-graphql lists inherited fields before the subclass's own, so a type that shows `createdAt`
 * or `updatedAt` re-declares it where it belongs in its SDL (with `useDefineForClassFields: false`
 * the re-declaration emits no code, so the value set here stays):
 *
 *   @Field(() => Date) override createdAt!: Opt<Date>;
 *
 * Columns: `id` varchar(36), `created_at` / `updated_at` datetime not null, `organization_id`
 * varchar(64), the shapes the subgraphs' tables already have. A table whose creation time has
 * another column name keeps it (`@Property({ type: 'datetime', fieldName: 'at' }) override createdAt`);
 * a table adopting a base column it lacked must add it nullable, since `syncSchema` only adds
 * columns and a NOT NULL column without a default cannot be added to a table that has rows.
 *
 * Not here: the creating user. Entities name that column after its meaning (`ownerId`, `grantedById`,
 * `requesterId`, `createdById`) and expose it as a `User` key stub; a shared name would hide which.
 */

/** Every entity: a string UUID `id` (MongoDB maps it to `_id`) and when the row was created. */
@Entity({ abstract: true })
@ObjectType()
export abstract class PlatformEntity {
  @PrimaryKey({ type: 'string', length: 36 })
  @Field(() => ID)
  id: Opt<string> = randomUUID();

  @Property({ type: 'datetime' })
  createdAt: Opt<Date> = new Date();
}

/** An entity owned by one organization (identity's `Organization` id); queries scope by it. */
@Entity({ abstract: true })
@ObjectType()
export abstract class OrganizationEntity extends PlatformEntity {
  @Property({ type: 'string', length: 64 })
  organizationId!: string;
}

/** An organization's entity that records its last change: `updatedAt` moves on every flush that changes the row. */
@Entity({ abstract: true })
@ObjectType()
export abstract class TrackedOrganizationEntity extends OrganizationEntity {
  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Opt<Date> = new Date();
}
