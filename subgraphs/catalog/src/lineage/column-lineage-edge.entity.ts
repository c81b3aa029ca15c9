import type { Opt } from '@mikro-orm/core';
import { Entity, Index, Property } from '@mikro-orm/core';
import { TrackedOrganizationEntity } from '../../../../lib/src/kit/base.entity';

/** One input field of an output field, from the ColumnLineageDatasetFacet of an output dataset. */
@Entity({ tableName: 'column_lineage_edge' })
@Index({ properties: ['outputNode', 'outputField'] })
@Index({ properties: ['inputNode', 'inputField'] })
export class ColumnLineageEdge extends TrackedOrganizationEntity {
  // `id` is derived from both ends (`columnEdgeId`).

  /** Added with the base entity: null on edges recorded before it (syncSchema adds columns nullable). */
  @Property({ type: 'datetime', nullable: true })
  override createdAt: Opt<Date> = new Date();

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
}
