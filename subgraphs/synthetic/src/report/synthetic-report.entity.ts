import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { SyntheticComplianceReport, SyntheticPrivacyReport, SyntheticQualityReport } from './report.types';

/** The evaluation of one job's output: quality, privacy and compliance, kept with the output dataset. */
@Entity({ tableName: 'synthetic_report' })
@Directive('@key(fields: "id")')
@ObjectType({ description: 'Quality, privacy and compliance report of a synthetic data job.' })
export class SyntheticReport {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'string' })
  @Field(() => ID)
  id: string = randomUUID();

  @Index()
  @Property({ type: 'string' })
  organizationId!: string;

  @Property({ type: 'string' })
  jobId!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  rows!: number;

  @Property({ type: 'json', nullable: true })
  @Field(() => SyntheticQualityReport, { nullable: true, description: 'Null for schema-driven jobs (no real data to compare).' })
  quality: SyntheticQualityReport | null = null;

  @Property({ type: 'json', nullable: true })
  @Field(() => SyntheticPrivacyReport, { nullable: true })
  privacy: SyntheticPrivacyReport | null = null;

  @Property({ type: 'json' })
  @Field(() => SyntheticComplianceReport)
  compliance!: SyntheticComplianceReport;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();
}
