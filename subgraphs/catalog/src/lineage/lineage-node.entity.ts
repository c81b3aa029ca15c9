import type { Opt } from '@mikro-orm/core';
import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { JSONObjectScalar } from '../../../../lib/src/index';
import { TrackedOrganizationEntity } from '../../../../lib/src/kit/base.entity';
import type { LineageNodeKind } from './lineage.ids';

/** A job or dataset in the lineage graph, identified OpenLineage-style by namespace + name. */
@Entity({ tableName: 'lineage_node' })
@Unique({ properties: ['organizationId', 'kind', 'namespace', 'name'] })
@Index({ properties: ['datasetId'] })
@ObjectType({ description: 'A job or dataset in the lineage graph (OpenLineage namespace + name).' })
export class LineageNode extends TrackedOrganizationEntity {
  // `id` is derived from organization, kind, namespace and name (`lineageNodeId`).

  @Property({ type: 'string', length: 16 })
  @Field(() => String, { description: 'DATASET or JOB.' })
  kind!: LineageNodeKind;

  @Property({ type: 'string', length: 512 })
  @Field(() => String)
  namespace!: string;

  @Property({ type: 'string', length: 1024 })
  @Field(() => String)
  name!: string;

  /** The catalog dataset this node is, when its namespace is the catalog's. */
  @Property({ type: 'string', length: 36, nullable: true })
  datasetId?: string | null;

  /** The latest value of each facet, merged over the events that named this node. */
  @Property({ type: 'json', nullable: true })
  @Field(() => JSONObjectScalar, { nullable: true })
  facets?: Record<string, unknown> | null;

  @Field(() => Date)
  override updatedAt!: Opt<Date>;
}
