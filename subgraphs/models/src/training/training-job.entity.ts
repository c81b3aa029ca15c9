import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, Float, Int, ObjectType } from 'type-graphql';
import { OrganizationEntity, PlatformEntity } from '../../../../lib/src/kit/base.entity';
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
export class TrainingJob extends OrganizationEntity {
  [OptionalProps]?: 'state' | 'epoch' | 'attempts' | 'cancelRequested' | 'metrics' | 'requestedCpu' | 'requestedGpu';

  /** A varchar(255) key since before the base entity (the base declares varchar(36)): kept so the table is unchanged. */
  @PrimaryKey({ type: 'string' }) override id: Opt<string> = randomUUID();
  @Index() @Property({ type: 'string' }) override organizationId!: string;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'string' })
  @Field(() => String, { description: 'The model the result is registered under (created if missing)' })
  modelName!: string;
  @Property({ type: 'string' }) datasetId!: string;
  @Property({ type: 'string', nullable: true })
  @Field(() => String, { nullable: true, description: 'sha256 of the dataset content trained on' })
  datasetSha256?: string | null;
  @Property({ type: 'json' }) @Field(() => [String]) featureColumns!: string[];
  @Property({ type: 'string' }) @Field(() => String) targetColumn!: string;
  @Property({ type: 'string' }) @Field(() => TrainingAlgorithm) algorithm!: TrainingAlgorithm;
  @Property({ type: 'json' })
  @Field(() => JSONObjectScalar, { description: 'Hyperparameters as requested' })
  hyperparameters!: Record<string, unknown>;
  @Property({ type: 'double' }) @Field(() => Float) validationFraction!: number;
  @Index() @Property({ type: 'string' }) @Field(() => JobState) state: JobState = JobState.QUEUED;
  @Property({ type: 'integer' }) @Field(() => Int, { description: 'Epochs completed' }) epoch: number = 0;
  @Property({ type: 'integer' }) @Field(() => Int) epochs!: number;
  @Property({ type: 'double', nullable: true }) @Field(() => Float, { nullable: true }) trainLoss?: number | null;
  @Property({ type: 'double', nullable: true }) @Field(() => Float, { nullable: true }) validationLoss?: number | null;
  @Property({ type: 'json' })
  @Field(() => JSONObjectScalar, { description: 'Latest validation metrics' })
  metrics: Record<string, number> = {};
  @Property({ type: 'text', nullable: true }) @Field(() => String, { nullable: true }) error?: string | null;
  @Property({ type: 'string', nullable: true }) modelVersionId?: string | null;
  @Property({ type: 'string', nullable: true }) pipelineRunId?: string | null;
  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Description given to the registered version' })
  description?: string | null;
  @Property({ type: 'json', nullable: true }) @Field(() => [String], { nullable: true }) versionTags?: string[] | null;
  @Property({ type: 'double' }) requestedCpu: number = 1;
  @Property({ type: 'integer' }) requestedGpu: number = 0;
  @Property({ type: 'integer', nullable: true }) requestedMemoryMb?: number | null;
  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Times the job was started (more than 1 after a restart)' })
  attempts: number = 0;
  @Property({ type: 'boolean' }) cancelRequested: boolean = false;
  @Field(() => Date) override createdAt!: Opt<Date>;
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

/**
 * One epoch of a job, kept so late subscribers and queries see the whole curve. Its GraphQL type is
 * `TrainingEpochType` (training-epoch.type.ts): the GraphQL `TrainingEpoch` has no `id`.
 */
@Entity({ tableName: 'training_epochs' })
@Unique({ properties: ['jobId', 'epoch'] })
export class TrainingEpoch extends PlatformEntity {
  @PrimaryKey({ type: 'string' }) override id: Opt<string> = randomUUID();
  @Index() @Property({ type: 'string' }) jobId!: string;
  @Property({ type: 'integer' }) epoch!: number;
  @Property({ type: 'double' }) trainLoss!: number;
  @Property({ type: 'double' }) validationLoss!: number;
  @Property({ type: 'json' }) metrics!: Record<string, number>;
  /** When the epoch ended (column `at`, its name since before the base entity). */
  @Property({ type: 'datetime', fieldName: 'at' }) override createdAt: Opt<Date> = new Date();
}
