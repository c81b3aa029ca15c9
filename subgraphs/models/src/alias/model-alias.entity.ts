import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { UserRef } from '../dataset/dataset.reference';

/** A named pointer (champion, production, ...) from a model to one of its versions. */
@Entity({ tableName: 'model_aliases' })
@Unique({ properties: ['modelId', 'name'] })
@ObjectType({ description: 'A named pointer (champion, production, ...) to a version of the model' })
export class ModelAlias {
  [OptionalProps]?: 'updatedAt';

  @PrimaryKey({ type: 'string' }) id: string = randomUUID();
  @Index() @Property({ type: 'string' }) organizationId!: string;
  @Index() @Property({ type: 'string' }) modelId!: string;
  @Property({ type: 'string' }) @Field(() => String) name!: string;
  @Property({ type: 'string' }) versionId!: string;
  @Property({ type: 'integer' }) @Field(() => Int) version!: number;
  @Property({ type: 'string' }) updatedById!: string;
  @Property({ type: 'datetime' }) @Field(() => Date) updatedAt: Date = new Date();

  @Field(() => UserRef)
  updatedBy(): UserRef {
    return { id: this.updatedById };
  }
}

/** One move of an alias: the audit history. Never updated or deleted. */
@Entity({ tableName: 'model_alias_events' })
@ObjectType({ description: 'One move of an alias (audit history): who, when, from which version to which' })
export class ModelAliasEvent {
  [OptionalProps]?: 'at';

  @PrimaryKey({ type: 'string' }) @Field(() => ID) id: string = randomUUID();
  @Index() @Property({ type: 'string' }) organizationId!: string;
  @Index() @Property({ type: 'string' }) modelId!: string;
  @Property({ type: 'string' }) @Field(() => String) alias!: string;
  @Property({ type: 'integer' }) @Field(() => Int, { description: 'Position in the model\'s alias history, from 1' }) sequence!: number;
  @Property({ type: 'string', nullable: true }) @Field(() => ID, { nullable: true }) fromVersionId?: string | null;
  @Property({ type: 'integer', nullable: true }) @Field(() => Int, { nullable: true }) fromVersion?: number | null;
  @Property({ type: 'string', nullable: true }) @Field(() => ID, { nullable: true, description: 'null when the alias was removed' }) toVersionId?: string | null;
  @Property({ type: 'integer', nullable: true }) @Field(() => Int, { nullable: true }) toVersion?: number | null;
  @Property({ type: 'string' }) actorId!: string;
  @Property({ type: 'string' }) @Field(() => String, { description: 'user, api_key, service' }) actorKind!: string;
  @Property({ type: 'text', nullable: true }) @Field(() => String, { nullable: true }) reason?: string | null;
  @Property({ type: 'string', nullable: true }) @Field(() => ID, { nullable: true, description: 'The pipeline run that moved it, if any' }) pipelineRunId?: string | null;
  @Property({ type: 'datetime' }) @Field(() => Date) at: Date = new Date();

  @Field(() => UserRef)
  actor(): UserRef {
    return { id: this.actorId };
  }
}
