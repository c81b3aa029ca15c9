import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { JSONObjectScalar } from '../common/json.scalar';
import { JobState, TrainingAlgorithm } from '../common/enums';
import { DatasetRef, UserRef } from '../dataset/dataset.reference';

@ObjectType({ description: 'Resources a job asks for, so a scheduler can place it (GPU training on Kubernetes)' })
export class ResourceRequest {
  @Field(() => Float) cpu!: number;
  @Field(() => Int) gpu!: number;
  @Field(() => Int, { nullable: true }) memoryMb?: number | null;
}

/** A persisted training run: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED. */
@Entity({ tableName: 'training_jobs' })
@Directive('@key(fields: "id")')
@ObjectType({ description: 'A training run on a catalog dataset; its result is registered as a model version' })
export class TrainingJob {
  [OptionalProps]?: 'createdAt' | 'state' | 'epoch' | 'attempts' | 'cancelRequested' | 'metrics' | 'requestedCpu' | 'requestedGpu';

  @PrimaryKey({ type: 'string' }) @Field(() => ID) id: string = randomUUID();
  @Index() @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'string' }) @Field(() => String, { description: 'The model the result is registered under (created if missing)' }) modelName!: string;
  @Property({ type: 'string' }) datasetId!: string;
  @Property({ type: 'string', nullable: true }) @Field(() => String, { nullable: true, description: 'sha256 of the dataset content trained on' }) datasetSha256?: string | null;
  @Property({ type: 'json' }) @Field(() => [String]) featureColumns!: string[];
  @Property({ type: 'string' }) @Field(() => String) targetColumn!: string;
  @Property({ type: 'string' }) @Field(() => TrainingAlgorithm) algorithm!: TrainingAlgorithm;
  @Property({ type: 'json' }) @Field(() => JSONObjectScalar, { description: 'Hyperparameters as requested' }) hyperparameters!: Record<string, unknown>;
  @Property({ type: 'double' }) @Field(() => Float) validationFraction!: number;
  @Index() @Property({ type: 'string' }) @Field(() => JobState) state: JobState = JobState.QUEUED;
  @Property({ type: 'integer' }) @Field(() => Int, { description: 'Epochs completed' }) epoch: number = 0;
  @Property({ type: 'integer' }) @Field(() => Int) epochs!: number;
  @Property({ type: 'double', nullable: true }) @Field(() => Float, { nullable: true }) trainLoss?: number | null;
  @Property({ type: 'double', nullable: true }) @Field(() => Float, { nullable: true }) validationLoss?: number | null;
  @Property({ type: 'json' }) @Field(() => JSONObjectScalar, { description: 'Latest validation metrics' }) metrics: Record<string, number> = {};
  @Property({ type: 'text', nullable: true }) @Field(() => String, { nullable: true }) error?: string | null;
  @Property({ type: 'string', nullable: true }) modelVersionId?: string | null;
  @Property({ type: 'string', nullable: true }) pipelineRunId?: string | null;
  @Property({ type: 'text', nullable: true }) @Field(() => String, { nullable: true, description: 'Description given to the registered version' }) description?: string | null;
  @Property({ type: 'json', nullable: true }) @Field(() => [String], { nullable: true }) versionTags?: string[] | null;
  @Property({ type: 'double' }) requestedCpu: number = 1;
  @Property({ type: 'integer' }) requestedGpu: number = 0;
  @Property({ type: 'integer', nullable: true }) requestedMemoryMb?: number | null;
  @Property({ type: 'integer' }) @Field(() => Int, { description: 'Times the job was started (more than 1 after a restart)' }) attempts: number = 0;
  @Property({ type: 'boolean' }) cancelRequested: boolean = false;
  @Property({ type: 'datetime' }) @Field(() => Date) createdAt: Date = new Date();
  @Property({ type: 'datetime', nullable: true }) @Field(() => Date, { nullable: true }) startedAt?: Date | null;
  @Property({ type: 'datetime', nullable: true }) @Field(() => Date, { nullable: true }) finishedAt?: Date | null;

  @Field(() => DatasetRef)
  dataset(): DatasetRef {
    return { id: this.datasetId };
  }

  @Field(() => ResourceRequest)
  resources(): ResourceRequest {
    return { cpu: this.requestedCpu, gpu: this.requestedGpu, memoryMb: this.requestedMemoryMb ?? null };
  }

  @Field(() => UserRef)
  createdBy(): UserRef {
    return { id: this.createdById };
  }
}

/** One epoch of a job, kept so late subscribers and queries see the whole curve. */
@Entity({ tableName: 'training_epochs' })
@Unique({ properties: ['jobId', 'epoch'] })
@ObjectType({ description: 'Loss and validation metrics after one epoch' })
export class TrainingEpoch {
  [OptionalProps]?: 'at';

  @PrimaryKey({ type: 'string' }) id: string = randomUUID();
  @Index() @Property({ type: 'string' }) jobId!: string;
  @Property({ type: 'integer' }) @Field(() => Int) epoch!: number;
  @Property({ type: 'double' }) @Field(() => Float) trainLoss!: number;
  @Property({ type: 'double' }) @Field(() => Float) validationLoss!: number;
  @Property({ type: 'json' }) @Field(() => JSONObjectScalar) metrics!: Record<string, number>;
  @Property({ type: 'datetime' }) @Field(() => Date) at: Date = new Date();
}
