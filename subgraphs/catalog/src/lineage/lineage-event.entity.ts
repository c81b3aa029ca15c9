import type { Opt } from '@mikro-orm/core';
import { Entity, Index, Property } from '@mikro-orm/core';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';

/** Every accepted OpenLineage document, kept whole (facets included). */
@Entity({ tableName: 'lineage_event' })
@Index({ properties: ['organizationId', 'createdAt'] })
@Index({ properties: ['organizationId', 'runId'] })
export class LineageEventRecord extends OrganizationEntity {
  /** When the catalog received it (column `received_at`, the table's name for it since before the base entity). */
  @Property({ type: 'datetime', fieldName: 'received_at' })
  override createdAt: Opt<Date> = new Date();

  /** RunEvent, JobEvent or DatasetEvent. */
  @Property({ type: 'string', length: 16 })
  kind!: string;

  @Property({ type: 'string', length: 16, nullable: true })
  eventType?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  runId?: string | null;

  @Property({ type: 'datetime' })
  eventTime!: Date;

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;
}
