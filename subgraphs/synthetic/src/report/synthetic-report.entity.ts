import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { SyntheticComplianceReport, SyntheticPrivacyReport, SyntheticQualityReport } from './report.types';

/** The evaluation of one job's output: quality, privacy and compliance, kept with the output dataset. */
@Entity({ tableName: 'synthetic_report' })
@Directive('@key(fields: "id")')
@ObjectType({ description: 'Quality, privacy and compliance report of a synthetic data job.' })
export class SyntheticReport extends OrganizationEntity {
  // The table's key and organization columns keep the varchar(255) they have always had.
  @PrimaryKey({ type: 'string', length: 255 })
  override id: Opt<string> = randomUUID();

  @Index()
  @Property({ type: 'string', length: 255 })
  override organizationId!: string;

  @Property({ type: 'string' })
  jobId!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  rows!: number;

  @Property({ type: 'json', nullable: true })
  @Field(() => SyntheticQualityReport, {
    nullable: true,
    description: 'Null for schema-driven jobs (no real data to compare).',
  })
  quality: SyntheticQualityReport | null = null;

  @Property({ type: 'json', nullable: true })
  @Field(() => SyntheticPrivacyReport, { nullable: true })
  privacy: SyntheticPrivacyReport | null = null;

  @Property({ type: 'json' })
  @Field(() => SyntheticComplianceReport)
  compliance!: SyntheticComplianceReport;

  @Field(() => Date)
  override createdAt!: Opt<Date>;
}
