import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** One input field of an output field, from the ColumnLineageDatasetFacet of an output dataset. */
@Entity({ tableName: 'column_lineage_edge' })
@Index({ properties: ['outputNode', 'outputField'] })
@Index({ properties: ['inputNode', 'inputField'] })
export class ColumnLineageEdge {
  @PrimaryKey({ type: 'string', length: 36 })
  id!: string;

  @Property({ type: 'string', length: 64 })
  organizationId!: string;

  @Property({ type: 'string', length: 36 })
  outputNode!: string;

  @Property({ type: 'string', length: 512 })
  outputField!: string;

  @Property({ type: 'string', length: 36 })
  inputNode!: string;

  @Property({ type: 'string', length: 512 })
  inputField!: string;

  @Property({ type: 'json', nullable: true })
  transformations?: unknown[] | null;

  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
