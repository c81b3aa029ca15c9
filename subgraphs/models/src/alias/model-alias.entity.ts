import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { OrganizationEntity, TrackedOrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { UserRef } from '../dataset/dataset.reference';

/**
 * A named pointer (champion, production, ...) from a model to one of its versions. Its GraphQL type
 * is `ModelAliasType` (model-alias.type.ts): the GraphQL `ModelAlias` has no `id`.
 */
@Entity({ tableName: 'model_aliases' })
@Unique({ properties: ['modelId', 'name'] })
export class ModelAlias extends TrackedOrganizationEntity {
  /** A varchar(255) key since before the base entity (the base declares varchar(36)): kept so the table is unchanged. */
  @PrimaryKey({ type: 'string' }) override id: Opt<string> = randomUUID();
  @Index() @Property({ type: 'string' }) override organizationId!: string;
  /** Added with the base entity: null on aliases set before it (syncSchema adds columns nullable). */
  @Property({ type: 'datetime', nullable: true }) override createdAt: Opt<Date> = new Date();
  @Index() @Property({ type: 'string' }) modelId!: string;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string' }) versionId!: string;
  @Property({ type: 'integer' }) version!: number;
  @Property({ type: 'string' }) updatedById!: string;
}

/** One move of an alias: the audit history. Never updated or deleted. */
@Entity({ tableName: 'model_alias_events' })
@ObjectType({ description: 'One move of an alias (audit history): who, when, from which version to which' })
export class ModelAliasEvent extends OrganizationEntity {
  /** A varchar(255) key since before the base entity (the base declares varchar(36)): kept so the table is unchanged. */
  @PrimaryKey({ type: 'string' }) override id: Opt<string> = randomUUID();
  @Index() @Property({ type: 'string' }) override organizationId!: string;
  @Index() @Property({ type: 'string' }) modelId!: string;
  @Property({ type: 'string' }) @Field(() => String) alias!: string;
  @Property({ type: 'integer' })
  @Field(() => Int, { description: "Position in the model's alias history, from 1" })
  sequence!: number;
  @Property({ type: 'string', nullable: true }) @Field(() => ID, { nullable: true }) fromVersionId?: string | null;
  @Property({ type: 'integer', nullable: true }) @Field(() => Int, { nullable: true }) fromVersion?: number | null;
  @Property({ type: 'string', nullable: true })
  @Field(() => ID, { nullable: true, description: 'null when the alias was removed' })
  toVersionId?: string | null;
  @Property({ type: 'integer', nullable: true }) @Field(() => Int, { nullable: true }) toVersion?: number | null;
  @Property({ type: 'string' }) actorId!: string;
  @Property({ type: 'string' }) @Field(() => String, { description: 'user, api_key, service' }) actorKind!: string;
  @Property({ type: 'text', nullable: true }) @Field(() => String, { nullable: true }) reason?: string | null;
  @Property({ type: 'string', nullable: true })
  @Field(() => ID, { nullable: true, description: 'The pipeline run that moved it, if any' })
  pipelineRunId?: string | null;
  /** When the alias moved (column `at`, its name since before the base entity). */
  @Property({ type: 'datetime', fieldName: 'at' }) @Field(() => Date, { name: 'at' }) override createdAt: Opt<Date> =
    new Date();

  @Field(() => UserRef)
  actor(): UserRef {
    return { id: this.actorId };
  }
}
