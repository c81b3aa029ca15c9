import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { JSONScalar } from '../../../../lib/src/index';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { DeploymentEventKind, DeploymentStatus, HealthState } from './deployment.model';
import './deployment-enums.type';

/** One step in a deployment's timeline; every lifecycle mutation and every status change adds one. */
@Entity({ tableName: 'deployment_events' })
@Unique({ properties: ['deploymentId', 'sequence'] })
@ObjectType()
export class DeploymentEvent extends OrganizationEntity {
  [OptionalProps]?: 'actorId' | 'data';

  // The table's own key and organization columns (varchar(255), indexed) since before the base entity.
  @PrimaryKey({ type: 'string' })
  override id: Opt<string> = randomUUID();

  @Property({ type: 'string', index: true })
  override organizationId!: string;

  @Property({ type: 'string', index: true })
  @Field(() => ID)
  deploymentId!: string;

  @Property({ type: 'string' })
  @Field(() => ID)
  applicationId!: string;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Position in the timeline, from 1' })
  sequence!: number;

  @Property({ type: 'string' })
  @Field(() => DeploymentEventKind)
  kind!: DeploymentEventKind;

  @Property({ type: 'string' })
  @Field(() => DeploymentStatus)
  status!: DeploymentStatus;

  @Property({ type: 'string', nullable: true })
  @Field(() => DeploymentStatus, { nullable: true })
  previousStatus!: DeploymentStatus | null;

  @Property({ type: 'string' })
  @Field(() => HealthState)
  health!: HealthState;

  @Property({ type: 'integer' })
  @Field(() => Int)
  revision!: number;

  @Property({ type: 'integer' })
  @Field(() => Int)
  replicas!: number;

  @Property({ type: 'text' })
  @Field(() => String)
  message!: string;

  @Property({ type: 'json', nullable: true })
  @Field(() => JSONScalar, {
    nullable: true,
    description: 'Details: the scaling decision with its inputs, health diagnostics, config diff ...',
  })
  data?: unknown;

  @Property({ type: 'string', nullable: true })
  @Field(() => ID, { nullable: true, description: 'User or service that caused it; null for the scheduler' })
  actorId?: string | null;

  /** When it happened (column and GraphQL field `at`, the names since before the base entity). */
  @Property({ type: 'datetime', fieldName: 'at' })
  @Field(() => Date, { name: 'at' })
  override createdAt: Opt<Date> = new Date();
}
