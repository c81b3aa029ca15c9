import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, ObjectType } from 'type-graphql';
import { TrackedOrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { OrganizationRef, UserRef } from '../shared/refs.type';

/** A team's AI application: a set of inference endpoints plus configuration, deployed to environments. */
@Entity({ tableName: 'applications' })
@Unique({ properties: ['organizationId', 'name'] })
@Directive('@key(fields: "id")')
@ObjectType()
export class Application extends TrackedOrganizationEntity {
  [OptionalProps]?: 'description';

  // The table's own key and organization columns (varchar(255), indexed) since before the base entity.
  @PrimaryKey({ type: 'string' })
  override id: Opt<string> = randomUUID();

  @Property({ type: 'string', index: true })
  override organizationId!: string;

  @Property({ type: 'string' })
  @Field(() => String)
  name!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  description?: string | null;

  @Property({ type: 'string' })
  ownerId!: string;

  @Property({ type: 'json' })
  @Field(() => [String], {
    description: 'Environments the application can be deployed to (dev, staging, production or custom)',
  })
  environments!: string[];

  @Property({ type: 'string' })
  createdById!: string;

  @Field(() => Date)
  override createdAt!: Opt<Date>;

  @Field(() => Date)
  override updatedAt!: Opt<Date>;

  @Field(() => UserRef)
  owner(): UserRef {
    return { id: this.ownerId };
  }

  @Field(() => OrganizationRef)
  organization(): OrganizationRef {
    return { id: this.organizationId };
  }
}
