import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { OrganizationRef, UserRef } from '../shared/refs.type';

/** A team's AI application: a set of inference endpoints plus configuration, deployed to environments. */
@Entity({ tableName: 'applications' })
@Unique({ properties: ['organizationId', 'name'] })
@Directive('@key(fields: "id")')
@ObjectType()
export class Application {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'description';

  @PrimaryKey({ type: 'string' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'string', index: true })
  organizationId!: string;

  @Property({ type: 'string' })
  @Field(() => String)
  name!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  description?: string | null;

  @Property({ type: 'string' })
  ownerId!: string;

  @Property({ type: 'json' })
  @Field(() => [String], { description: 'Environments the application can be deployed to (dev, staging, production or custom)' })
  environments!: string[];

  @Property({ type: 'string' })
  createdById!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Field(() => UserRef)
  owner(): UserRef {
    return { id: this.ownerId };
  }

  @Field(() => OrganizationRef)
  organization(): OrganizationRef {
    return { id: this.organizationId };
  }
}
