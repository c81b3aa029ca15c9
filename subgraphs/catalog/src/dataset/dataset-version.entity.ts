import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { DatasetProfile } from '../profiling/dataset.profiler';
import { UserRef } from '../federation/references.type';
import { ColumnProfileType } from './dataset-column';
import { DatasetFormat } from './dataset.enums';

/** One immutable content version of a dataset: bytes in the artifact store plus their profile. */
@Entity({ tableName: 'dataset_version' })
@Unique({ properties: ['datasetId', 'version'] })
@Index({ properties: ['sha256'] })
@ObjectType()
export class DatasetVersion {
  [OptionalProps]?: 'createdAt' | 'contentDeletedAt';

  @PrimaryKey({ type: 'string', length: 36 })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'string', length: 36 })
  datasetId!: string;

  @Property({ type: 'string', length: 64 })
  organizationId!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  version!: number;

  @Property({ type: 'string', length: 64 })
  @Field(() => String)
  sha256!: string;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Bytes.' })
  size!: number;

  @Property({ type: 'string', length: 8 })
  @Field(() => DatasetFormat)
  format!: DatasetFormat;

  @Property({ type: 'integer' })
  @Field(() => Int)
  rowCount!: number;

  @Property({ type: 'json' })
  profile!: DatasetProfile;

  @Property({ type: 'string', length: 128 })
  createdById!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  /** Set when retention deleted the bytes; the metadata and profile stay. */
  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  contentDeletedAt?: Date | null;

  @Field(() => [ColumnProfileType], { description: 'Per-column statistics of this version.' })
  columnProfiles(): ColumnProfileType[] {
    return this.profile.columns;
  }

  @Field(() => UserRef)
  createdBy(): UserRef {
    return { id: this.createdById };
  }
}
