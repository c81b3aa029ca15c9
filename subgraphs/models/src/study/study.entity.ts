import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { JSONObjectScalar, JSONScalar } from '../common/json.scalar';
import { JobState, OptimizationDirection, PrunerKind, SamplerKind, TrainingAlgorithm, TrialState } from '../common/enums';
import { DatasetRef, UserRef } from '../dataset/dataset.reference';
import type { SearchSpace } from '../engine/hpo/search-space';

/** A hyperparameter search: trials of one algorithm on one dataset; the best is registered. */
@Entity({ tableName: 'studies' })
@Directive('@key(fields: "id")')
@ObjectType({ description: 'A hyperparameter search (Optuna-like); the best trial is registered as a model version' })
export class Study {
  [OptionalProps]?: 'createdAt' | 'state' | 'cancelRequested';

  @PrimaryKey({ type: 'string' }) @Field(() => ID) id: string = randomUUID();
  @Index() @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'string' }) @Field(() => String) modelName!: string;
  @Property({ type: 'string' }) datasetId!: string;
  @Property({ type: 'json' }) @Field(() => [String]) featureColumns!: string[];
  @Property({ type: 'string' }) @Field(() => String) targetColumn!: string;
  @Property({ type: 'string' }) @Field(() => TrainingAlgorithm) algorithm!: TrainingAlgorithm;
  @Property({ type: 'json' }) @Field(() => JSONObjectScalar) baseHyperparameters!: Record<string, unknown>;
  @Property({ type: 'double' }) @Field(() => Float) validationFraction!: number;
  @Property({ type: 'json' }) @Field(() => JSONObjectScalar, { description: 'Parameter name → distribution' }) searchSpace!: SearchSpace;
  @Property({ type: 'string' }) @Field(() => SamplerKind) sampler!: SamplerKind;
  @Property({ type: 'integer' }) @Field(() => Int) samplerSeed!: number;
  @Property({ type: 'integer' }) gridPoints!: number;
  @Property({ type: 'string' }) @Field(() => PrunerKind) pruner!: PrunerKind;
  @Property({ type: 'integer' }) @Field(() => Int) prunerStartupTrials!: number;
  @Property({ type: 'integer' }) @Field(() => Int) prunerWarmupSteps!: number;
  @Property({ type: 'string' }) @Field(() => String, { description: 'validationLoss or a validation metric (accuracy, f1Macro, rocAuc, logLoss, rmse, mae, r2)' }) objectiveMetric!: string;
  @Property({ type: 'string' }) @Field(() => OptimizationDirection) direction!: OptimizationDirection;
  @Property({ type: 'integer' }) @Field(() => Int) nTrials!: number;
  @Property({ type: 'integer' }) @Field(() => Int, { description: 'Trials at once (also bounded by the worker pool)' }) parallelism!: number;
  @Index() @Property({ type: 'string' }) @Field(() => JobState) state: JobState = JobState.QUEUED;
  @Property({ type: 'integer', nullable: true }) @Field(() => Int, { nullable: true }) bestTrialNumber?: number | null;
  @Property({ type: 'double', nullable: true }) @Field(() => Float, { nullable: true }) bestValue?: number | null;
  @Property({ type: 'string', nullable: true }) modelVersionId?: string | null;
  @Property({ type: 'string', nullable: true }) pipelineRunId?: string | null;
  @Property({ type: 'text', nullable: true }) @Field(() => String, { nullable: true }) error?: string | null;
  @Property({ type: 'boolean' }) cancelRequested: boolean = false;
  @Property({ type: 'datetime' }) @Field(() => Date) createdAt: Date = new Date();
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

@ObjectType()
export class TrialReport {
  @Field(() => Int) step!: number;
  @Field(() => Float) value!: number;
}

/** One trial of a study. */
@Entity({ tableName: 'study_trials' })
@Unique({ properties: ['studyId', 'number'] })
@ObjectType({ description: 'One trial: its parameters, reported values per epoch and outcome' })
export class StudyTrial {
  [OptionalProps]?: 'startedAt' | 'intermediateValues';

  @PrimaryKey({ type: 'string' }) id: string = randomUUID();
  @Index() @Property({ type: 'string' }) studyId!: string;
  @Property({ type: 'integer' }) @Field(() => Int) number!: number;
  @Property({ type: 'string' }) @Field(() => TrialState) state!: TrialState;
  @Property({ type: 'json' }) @Field(() => JSONScalar) params!: Record<string, unknown>;
  @Property({ type: 'double', nullable: true }) @Field(() => Float, { nullable: true }) value?: number | null;
  @Property({ type: 'json' }) intermediateValues: [number, number][] = [];
  @Property({ type: 'text', nullable: true }) @Field(() => String, { nullable: true }) error?: string | null;
  @Property({ type: 'datetime' }) @Field(() => Date) startedAt: Date = new Date();
  @Property({ type: 'datetime', nullable: true }) @Field(() => Date, { nullable: true }) finishedAt?: Date | null;

  @Field(() => [TrialReport], { description: 'Objective value reported after each epoch' })
  reports(): TrialReport[] {
    return this.intermediateValues.map(([step, value]) => ({ step, value }));
  }
}
