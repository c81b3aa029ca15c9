import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { RunEventType } from '../openlineage/openlineage.types';

/** One run of a job, folded from its START / RUNNING / COMPLETE / FAIL / ABORT / OTHER events. */
@Entity({ tableName: 'lineage_run' })
@Index({ properties: ['organizationId', 'jobNode'] })
export class LineageRun {
  /** Derived from organization and OpenLineage runId (`lineageRunKey`), so run ids never collide across organizations. */
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 64 })
  organizationId!: string;

  @Property({ type: 'string', length: 64 })
  runId!: string;

  @Property({ type: 'string', length: 36 })
  jobNode!: string;

  /** The latest state reported; terminal states are kept when a late event arrives. */
  @Property({ type: 'string', length: 16 })
  state!: RunEventType;

  @Property({ type: 'datetime', nullable: true })
  startedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  endedAt?: Date | null;

  @Property({ type: 'datetime' })
  lastEventTime!: Date;

  @Property({ type: 'json', nullable: true })
  facets?: Record<string, unknown> | null;

  @Property({ type: 'json' })
  inputNodes: string[] = [];

  @Property({ type: 'json' })
  outputNodes: string[] = [];

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
