import { Entity, Index, Property } from '@mikro-orm/core';
import { Directive, Field, ObjectType } from 'type-graphql';
import { JSONObjectScalar } from '../../../../lib/src/index';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import type { RunEventType } from '../../../../lib/src/openlineage/openlineage.types';

/** One run of a job, folded from its START / RUNNING / COMPLETE / FAIL / ABORT / OTHER events. */
@Entity({ tableName: 'lineage_run' })
@Index({ properties: ['organizationId', 'jobNode'] })
@Directive('@key(fields: "id")')
@ObjectType()
export class LineageRun extends OrganizationEntity {
  // `id` is derived from organization and OpenLineage runId (`lineageRunKey`), so run ids never collide across organizations.

  @Property({ type: 'string', length: 64 })
  @Field(() => String, { description: 'The OpenLineage runId.' })
  runId!: string;

  @Property({ type: 'string', length: 36 })
  jobNode!: string;

  /** The latest state reported; terminal states are kept when a late event arrives. */
  @Property({ type: 'string', length: 16 })
  @Field(() => String, { description: 'START, RUNNING, COMPLETE, ABORT or FAIL.' })
  state!: RunEventType;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  startedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  endedAt?: Date | null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  lastEventTime!: Date;

  @Property({ type: 'json', nullable: true })
  @Field(() => JSONObjectScalar, { nullable: true, description: 'Run facets, merged over its events.' })
  facets?: Record<string, unknown> | null;

  @Property({ type: 'json' })
  inputNodes: string[] = [];

  @Property({ type: 'json' })
  outputNodes: string[] = [];
}
