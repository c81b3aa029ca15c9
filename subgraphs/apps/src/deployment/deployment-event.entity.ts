import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { JSONScalar } from '../../../../lib/src/index';
import { DeploymentEventKind, DeploymentStatus, HealthState } from './deployment.model';
import './deployment-enums.type';

/** One step in a deployment's timeline; every lifecycle mutation and every status change adds one. */
@Entity({ tableName: 'deployment_events' })
@Unique({ properties: ['deploymentId', 'sequence'] })
@ObjectType()
export class DeploymentEvent {
  [OptionalProps]?: 'at' | 'actorId' | 'data';

  @PrimaryKey({ type: 'string' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'string', index: true })
  organizationId!: string;

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
  @Field(() => JSONScalar, { nullable: true, description: 'Details: the scaling decision with its inputs, health diagnostics, config diff ...' })
  data?: unknown;

  @Property({ type: 'string', nullable: true })
  @Field(() => ID, { nullable: true, description: 'User or service that caused it; null for the scheduler' })
  actorId?: string | null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  at: Date = new Date();
}
