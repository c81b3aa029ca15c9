import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** Every accepted OpenLineage document, kept whole (facets included). */
@Entity({ tableName: 'lineage_event' })
@Index({ properties: ['organizationId', 'receivedAt'] })
@Index({ properties: ['organizationId', 'runId'] })
export class LineageEventRecord {
  @PrimaryKey({ type: 'string', length: 36 })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64 })
  organizationId!: string;

  /** RunEvent, JobEvent or DatasetEvent. */
  @Property({ type: 'string', length: 16 })
  kind!: string;

  @Property({ type: 'string', length: 16, nullable: true })
  eventType?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  runId?: string | null;

  @Property({ type: 'datetime' })
  eventTime!: Date;

  @Property({ type: 'datetime' })
  receivedAt: Date = new Date();

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;
}
