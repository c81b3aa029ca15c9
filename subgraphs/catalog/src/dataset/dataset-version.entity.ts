import type { Opt } from '@mikro-orm/core';
import { Entity, Index, OptionalProps, Property, Unique } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import type { DatasetProfile } from '../profiling/dataset.profiler';
import { UserRef } from '../federation/references.type';
import { ColumnProfileType } from './dataset-column.type';
import { DatasetFormat } from './dataset.enums';

export enum ContentStatus {
  PROFILING = 'PROFILING',
  READY = 'READY',
  FAILED = 'FAILED',
}
registerEnumType(ContentStatus, {
  name: 'ContentStatus',
  description:
    'PROFILING while the uploaded content is read and checked; READY once profiled and its quality rules ran (the newest READY is the latest version); FAILED when it could not be read.',
});

/** One immutable content version of a dataset: bytes in the artifact store plus their profile. */
@Entity({ tableName: 'dataset_version' })
@Unique({ properties: ['datasetId', 'version'] })
@Index({ properties: ['sha256'] })
@ObjectType()
export class DatasetVersion extends OrganizationEntity {
  [OptionalProps]?: 'contentDeletedAt' | 'status' | 'error' | 'profile' | 'rowCount';

  @Property({ type: 'string', length: 36 })
  datasetId!: string;

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

  @Property({ type: 'string', length: 12 })
  @Field(() => ContentStatus)
  status: ContentStatus = ContentStatus.PROFILING;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the content could not be read (FAILED).' })
  error?: string | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true })
  rowCount?: number | null;

  @Property({ type: 'json', nullable: true })
  profile?: DatasetProfile | null;

  @Property({ type: 'string', length: 128 })
  createdById!: string;

  @Field(() => Date)
  override createdAt!: Opt<Date>;

  /** Set when retention deleted the bytes; the metadata and profile stay. */
  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  contentDeletedAt?: Date | null;

  @Field(() => [ColumnProfileType], { description: 'Per-column statistics of this version.' })
  columnProfiles(): ColumnProfileType[] {
    return this.profile?.columns ?? [];
  }

  @Field(() => UserRef)
  createdBy(): UserRef {
    return { id: this.createdById };
  }
}
