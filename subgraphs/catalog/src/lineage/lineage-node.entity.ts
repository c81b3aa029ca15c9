import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { LineageNodeKind } from './lineage.ids';

/** A job or dataset in the lineage graph, identified OpenLineage-style by namespace + name. */
@Entity({ tableName: 'lineage_node' })
@Unique({ properties: ['organizationId', 'kind', 'namespace', 'name'] })
@Index({ properties: ['datasetId'] })
export class LineageNode {
  /** Derived from organization, kind, namespace and name (`lineageNodeId`). */
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 64 })
  organizationId!: string;

  @Property({ type: 'string', length: 16 })
  kind!: LineageNodeKind;

  @Property({ type: 'string', length: 512 })
  namespace!: string;

  @Property({ type: 'string', length: 1024 })
  name!: string;

  /** The catalog dataset this node is, when its namespace is the catalog's. */
  @Property({ type: 'string', length: 36, nullable: true })
  datasetId?: string | null;

  /** The latest value of each facet, merged over the events that named this node. */
  @Property({ type: 'json', nullable: true })
  facets?: Record<string, unknown> | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
