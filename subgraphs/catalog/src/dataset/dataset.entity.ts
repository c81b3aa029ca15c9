import type { Opt } from '@mikro-orm/core';
import { Entity, Index, OptionalProps, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, Float, Int, ObjectType } from 'type-graphql';
import { LINEAGE_NAMESPACES, lineageNames } from '../../../../lib/contracts/index';
import { TrackedOrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { OrganizationRef, SchemaVersionRef, UserRef } from '../federation/references.type';
import type { StoredColumn } from './dataset-column.type';
import { Classification, DatasetFormat } from './dataset.enums';

/** A registered dataset: metadata, governance and a pointer to its latest content version. */
@Entity({ tableName: 'dataset' })
@Unique({ properties: ['organizationId', 'name'] })
@Unique({ properties: ['organizationId', 'creationKey'] })
@Index({ properties: ['organizationId', 'updatedAt'] })
@Directive('@key(fields: "id")')
@ObjectType({ description: 'A dataset registered in the catalog.' })
export class Dataset extends TrackedOrganizationEntity {
  [OptionalProps]?: 'latestVersion' | 'versionCounter' | 'tags' | 'columns' | 'searchText';

  @Property({ type: 'string', length: 128 })
  ownerId!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  description?: string | null;

  @Property({ type: 'json' })
  @Field(() => [String])
  tags: string[] = [];

  @Property({ type: 'string', length: 16 })
  @Field(() => Classification)
  classification: Classification = Classification.INTERNAL;

  @Property({ type: 'string', length: 8 })
  @Field(() => DatasetFormat)
  format!: DatasetFormat;

  @Property({ type: 'string', length: 64, nullable: true })
  schemaVersionId?: string | null;

  @Property({ type: 'json' })
  columns: StoredColumn[] = [];

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'The newest READY content version; 0 until the first is profiled.' })
  latestVersion: number = 0;

  /** The last version number handed out (versions being profiled included). */
  @Property({ type: 'integer' })
  versionCounter: number = 0;

  @Property({ type: 'double', nullable: true })
  @Field(() => Float, { nullable: true, description: 'Percentage of quality rules passing on the latest check.' })
  qualityScore?: number | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Retention: keep this many latest content versions.' })
  retentionKeepLast?: number | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, {
    nullable: true,
    description: 'Retention: delete content versions older than this many days (the latest is kept).',
  })
  retentionMaxAgeDays?: number | null;

  /** Lower-cased name, description, tags and column names, for the search prefilter. */
  @Property({ type: 'text' })
  searchText: string = '';

  /**
   * The `idempotency-key` a service created the dataset with (POST /internal/datasets): a second
   * create with the same key in the organization answers with this dataset instead of a new one.
   */
  @Property({ type: 'string', length: 200, nullable: true })
  creationKey?: string | null;

  @Field(() => Date)
  override createdAt!: Opt<Date>;

  @Field(() => Date)
  override updatedAt!: Opt<Date>;

  @Field(() => String, { description: 'URI of the dataset: the OpenLineage namespace and name of its lineage node.' })
  location(): string {
    return `${LINEAGE_NAMESPACES.catalog}/${lineageNames.catalogDataset(this.id)}`;
  }

  @Field(() => UserRef)
  owner(): UserRef {
    return { id: this.ownerId };
  }

  @Field(() => OrganizationRef)
  organization(): OrganizationRef {
    return { id: this.organizationId };
  }

  @Field(() => SchemaVersionRef, { nullable: true })
  schemaVersion(): SchemaVersionRef | null {
    return this.schemaVersionId ? { id: this.schemaVersionId } : null;
  }
}

/**
 * Columns to treat as personal data: those classified PII; in a dataset classified PII as a whole
 * with no column marked, every column (the dataset-level label is all that is known).
 */
export function piiColumnsOf(d: Pick<Dataset, 'classification' | 'columns'>): string[] {
  const marked = d.columns.filter((c) => c.classification === Classification.PII).map((c) => c.name);
  return marked.length === 0 && d.classification === Classification.PII ? d.columns.map((c) => c.name) : marked;
}

/** Rebuilds the search prefilter text. */
export function searchTextOf(d: Pick<Dataset, 'name' | 'description' | 'tags' | 'columns'>): string {
  return [d.name, d.description ?? '', ...d.tags, ...d.columns.map((c) => c.name)].join('\n').toLowerCase();
}
