import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';

/** A registered model: a name in an organization under which versions are numbered. */
@Entity({ tableName: 'models' })
@Unique({ properties: ['organizationId', 'name'] })
@Directive('@key(fields: "id")')
@ObjectType({ description: 'A registered model; versions are numbered per model and immutable' })
export class Model {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'latestVersionNumber' | 'tags' | 'description';

  @PrimaryKey({ type: 'string' }) @Field(() => ID) id: string = randomUUID();
  @Index() @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) @Field(() => String) name!: string;
  @Property({ type: 'text', nullable: true }) @Field(() => String, { nullable: true }) description?: string | null;
  @Property({ type: 'json' }) @Field(() => [String]) tags: string[] = [];
  @Property({ type: 'integer' }) @Field(() => Int, { description: 'Number of the most recent version (0 before the first)' }) latestVersionNumber: number = 0;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'datetime' }) @Field(() => Date) createdAt: Date = new Date();
  @Property({ type: 'datetime', onUpdate: () => new Date() }) @Field(() => Date) updatedAt: Date = new Date();
}
