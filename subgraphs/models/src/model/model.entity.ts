import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { TrackedOrganizationEntity } from '../../../../lib/src/kit/base.entity';

/** A registered model: a name in an organization under which versions are numbered. */
@Entity({ tableName: 'models' })
@Unique({ properties: ['organizationId', 'name'] })
@Directive('@key(fields: "id")')
@ObjectType({ description: 'A registered model; versions are numbered per model and immutable' })
export class Model extends TrackedOrganizationEntity {
  [OptionalProps]?: 'latestVersionNumber' | 'tags' | 'description';

  /** A varchar(255) key since before the base entity (the base declares varchar(36)): kept so the table is unchanged. */
  @PrimaryKey({ type: 'string' }) override id: Opt<string> = randomUUID();
  @Index() @Property({ type: 'string' }) override organizationId!: string;
  @Property({ type: 'string' }) @Field(() => String) name!: string;
  @Property({ type: 'text', nullable: true }) @Field(() => String, { nullable: true }) description?: string | null;
  @Property({ type: 'json' }) @Field(() => [String]) tags: string[] = [];
  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Number of the most recent version (0 before the first)' })
  latestVersionNumber: number = 0;
  @Property({ type: 'string' }) createdById!: string;
  @Field(() => Date) override createdAt!: Opt<Date>;
  @Field(() => Date) override updatedAt!: Opt<Date>;
}
