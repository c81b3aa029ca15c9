import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A directed edge: input dataset -> job, or job -> output dataset. The two composite indexes cover the
 * traversal queries in both directions, so each BFS level is one index range scan per batch.
 */
@Entity({ tableName: 'lineage_edge' })
@Unique({ properties: ['fromNode', 'toNode'] })
@Index({ properties: ['toNode', 'fromNode'] })
export class LineageEdge {
  /** Derived from both ends (`lineageEdgeId`). */
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 64 })
  organizationId!: string;

  @Property({ type: 'string', length: 36 })
  fromNode!: string;

  @Property({ type: 'string', length: 36 })
  toNode!: string;

  /** The OpenLineage run that last reported this edge. */
  @Property({ type: 'string', length: 64, nullable: true })
  lastRunId?: string | null;

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
