import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, Float, Int, ObjectType } from 'type-graphql';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { Synthesizer, SyntheticJobStatus } from './job.enums';

/** A constraint as stored on the job. */
export interface StoredConstraint {
  column: string;
  min?: number | null;
  max?: number | null;
  allowedValues?: string[] | null;
}

/** A column handling override as stored on the job. */
export interface StoredColumnHandling {
  column: string;
  handling: 'MODEL' | 'FAKE' | 'DROP';
}

/** One synthesis request and its lifecycle; the persisted job the worker pool runs. */
@Entity({ tableName: 'synthetic_data_job' })
@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'A synthetic data generation job: fit a synthesizer to a source dataset (or a schema), generate rows, evaluate, register the output.',
})
export class SyntheticDataJob extends OrganizationEntity {
  [OptionalProps]?: 'status' | 'progress' | 'stage' | 'attempts' | 'cancelRequested';

  // The table's key and organization columns keep the varchar(255) they have always had.
  @PrimaryKey({ type: 'string', length: 255 })
  override id: Opt<string> = randomUUID();

  @Index()
  @Property({ type: 'string', length: 255 })
  override organizationId!: string;

  @Property({ type: 'string' })
  createdById!: string;

  @Property({ type: 'string', nullable: true })
  sourceDatasetId: string | null = null;

  @Property({ type: 'string', nullable: true })
  schemaVersionId: string | null = null;

  /** An inline schema (JSON Schema or Avro) for schema-driven jobs without a registered version. */
  @Property({ type: 'json', nullable: true })
  inlineSchema: { type: 'JSON' | 'AVRO'; schema: unknown } | null = null;

  @Property({ type: 'string' })
  @Field(() => Synthesizer)
  synthesizer!: Synthesizer;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Rows (or records) to generate.' })
  rows!: number;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Seed of every random draw: the same seed and inputs give the same output.' })
  seed!: number;

  @Property({ type: 'double', nullable: true })
  @Field(() => Float, { nullable: true, description: 'Privacy budget ε of DP_GAUSSIAN_COPULA.' })
  epsilon: number | null = null;

  @Property({ type: 'double', nullable: true })
  @Field(() => Float, { nullable: true, description: 'δ of DP_GAUSSIAN_COPULA (default 1e-6).' })
  delta: number | null = null;

  @Property({ type: 'double', nullable: true })
  @Field(() => Float, { nullable: true, description: 'Share of source rows held out to measure overfitting.' })
  holdoutFraction: number | null = null;

  @Property({ type: 'json' })
  constraintsJson: StoredConstraint[] = [];

  @Property({ type: 'json' })
  columnHandlingJson: StoredColumnHandling[] = [];

  @Property({ type: 'string', nullable: true })
  @Field(() => String, { nullable: true, description: 'Name of the output dataset.' })
  outputName: string | null = null;

  @Index()
  @Property({ type: 'string' })
  @Field(() => SyntheticJobStatus)
  status: SyntheticJobStatus = SyntheticJobStatus.QUEUED;

  @Property({ type: 'double' })
  @Field(() => Float, { description: 'Progress from 0 to 1.' })
  progress = 0;

  @Property({ type: 'string' })
  @Field(() => String, { description: 'QUEUED, FITTING, GENERATING, EVALUATING, REGISTERING, DONE.' })
  stage = 'QUEUED';

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  error: string | null = null;

  @Property({ type: 'string', nullable: true })
  outputDatasetId: string | null = null;

  @Property({ type: 'string', nullable: true })
  reportId: string | null = null;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Times a worker started this job (more than 1 after a restart).' })
  attempts = 0;

  @Property({ type: 'boolean' })
  cancelRequested = false;

  @Field(() => Date)
  override createdAt!: Opt<Date>;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  finishedAt: Date | null = null;
}
