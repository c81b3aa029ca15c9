import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, Float, Int, ObjectType } from 'type-graphql';
import { OrganizationEntity, PlatformEntity } from '../../../../lib/src/kit/base.entity';
import { JSONObjectScalar } from '../common/json.scalar';
import type { TrialState } from '../common/enums';
import { JobState, OptimizationDirection, PrunerKind, SamplerKind, TrainingAlgorithm } from '../common/enums';
import { DatasetRef, UserRef } from '../dataset/dataset.reference';
import type { SearchSpace } from '../engine/hpo/search-space';

/** A hyperparameter search: trials of one algorithm on one dataset; the best is registered. */
@Entity({ tableName: 'studies' })
@Directive('@key(fields: "id")')
@ObjectType({ description: 'A hyperparameter search (Optuna-like); the best trial is registered as a model version' })
export class Study extends OrganizationEntity {
  [OptionalProps]?: 'state' | 'cancelRequested';

  /** A varchar(255) key since before the base entity (the base declares varchar(36)): kept so the table is unchanged. */
  @PrimaryKey({ type: 'string' }) override id: Opt<string> = randomUUID();
  @Index() @Property({ type: 'string' }) override organizationId!: string;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'string' }) @Field(() => String) modelName!: string;
  @Property({ type: 'string' }) datasetId!: string;
  @Property({ type: 'json' }) @Field(() => [String]) featureColumns!: string[];
  @Property({ type: 'string' }) @Field(() => String) targetColumn!: string;
  @Property({ type: 'string' }) @Field(() => TrainingAlgorithm) algorithm!: TrainingAlgorithm;
  @Property({ type: 'json' }) @Field(() => JSONObjectScalar) baseHyperparameters!: Record<string, unknown>;
  @Property({ type: 'double' }) @Field(() => Float) validationFraction!: number;
  @Property({ type: 'json' })
  @Field(() => JSONObjectScalar, { description: 'Parameter name → distribution' })
  searchSpace!: SearchSpace;
  @Property({ type: 'string' }) @Field(() => SamplerKind) sampler!: SamplerKind;
  @Property({ type: 'integer' }) @Field(() => Int) samplerSeed!: number;
  @Property({ type: 'integer' }) gridPoints!: number;
  @Property({ type: 'string' }) @Field(() => PrunerKind) pruner!: PrunerKind;
  @Property({ type: 'integer' }) @Field(() => Int) prunerStartupTrials!: number;
  @Property({ type: 'integer' }) @Field(() => Int) prunerWarmupSteps!: number;
  @Property({ type: 'string' })
  @Field(() => String, {
    description: 'validationLoss or a validation metric (accuracy, f1Macro, rocAuc, logLoss, rmse, mae, r2)',
  })
  objectiveMetric!: string;
  @Property({ type: 'string' }) @Field(() => OptimizationDirection) direction!: OptimizationDirection;
  @Property({ type: 'integer' }) @Field(() => Int) nTrials!: number;
  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Trials at once (also bounded by the worker pool)' })
  parallelism!: number;
  @Index() @Property({ type: 'string' }) @Field(() => JobState) state: JobState = JobState.QUEUED;
  @Property({ type: 'integer', nullable: true }) @Field(() => Int, { nullable: true }) bestTrialNumber?: number | null;
  @Property({ type: 'double', nullable: true }) @Field(() => Float, { nullable: true }) bestValue?: number | null;
  @Property({ type: 'string', nullable: true }) modelVersionId?: string | null;
  @Property({ type: 'string', nullable: true }) pipelineRunId?: string | null;
  @Property({ type: 'text', nullable: true }) @Field(() => String, { nullable: true }) error?: string | null;
  @Property({ type: 'boolean' }) cancelRequested: boolean = false;
  @Field(() => Date) override createdAt!: Opt<Date>;
  @Property({ type: 'datetime', nullable: true }) @Field(() => Date, { nullable: true }) startedAt?: Date | null;
  @Property({ type: 'datetime', nullable: true }) @Field(() => Date, { nullable: true }) finishedAt?: Date | null;

  @Field(() => DatasetRef)
  dataset(): DatasetRef {
    return { id: this.datasetId };
  }

  @Field(() => UserRef)
  createdBy(): UserRef {
    return { id: this.createdById };
  }
}

/**
 * One trial of a study. Its GraphQL type is `StudyTrialType` (study-trial.type.ts): the GraphQL
 * `StudyTrial` has no `id`.
 */
@Entity({ tableName: 'study_trials' })
@Unique({ properties: ['studyId', 'number'] })
export class StudyTrial extends PlatformEntity {
  [OptionalProps]?: 'intermediateValues';

  @PrimaryKey({ type: 'string' }) override id: Opt<string> = randomUUID();
  @Index() @Property({ type: 'string' }) studyId!: string;
  @Property({ type: 'integer' }) number!: number;
  @Property({ type: 'string' }) state!: TrialState;
  @Property({ type: 'json' }) params!: Record<string, unknown>;
  @Property({ type: 'double', nullable: true }) value?: number | null;
  @Property({ type: 'json' }) intermediateValues: [number, number][] = [];
  @Property({ type: 'text', nullable: true }) error?: string | null;
  /** When the trial started, i.e. the row was created (column `started_at`, its name since before the base entity). */
  @Property({ type: 'datetime', fieldName: 'started_at' }) override createdAt: Opt<Date> = new Date();
  @Property({ type: 'datetime', nullable: true }) finishedAt?: Date | null;
}
