import type { Opt } from '@mikro-orm/core';
import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import { TrackedOrganizationEntity } from '../../../../lib/src/kit/base.entity';

/**
 * A directed edge: input dataset -> job, or job -> output dataset. The two composite indexes cover the
 * traversal queries in both directions, so each BFS level is one index range scan per batch.
 */
@Entity({ tableName: 'lineage_edge' })
@Unique({ properties: ['fromNode', 'toNode'] })
@Index({ properties: ['toNode', 'fromNode'] })
export class LineageEdge extends TrackedOrganizationEntity {
  // `id` is derived from both ends (`lineageEdgeId`).

  /** Added with the base entity: null on edges recorded before it (syncSchema adds columns nullable). */
  @Property({ type: 'datetime', nullable: true })
  override createdAt: Opt<Date> = new Date();

  @Property({ type: 'string', length: 36 })
  fromNode!: string;

  @Property({ type: 'string', length: 36 })
  toNode!: string;

  /** The OpenLineage run that last reported this edge. */
  @Property({ type: 'string', length: 64, nullable: true })
  lastRunId?: string | null;
}
