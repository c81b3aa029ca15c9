import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { JSONObjectScalar } from '../common/json.scalar';
import { JobState, StepState } from '../common/enums';
import { DatasetRef, UserRef } from '../dataset/dataset.reference';

/** One step's state and outputs, stored with its run. */
export interface StepRecord {
  name: string;
  state: StepState;
  startedAt: string | null;
  finishedAt: string | null;
  outputs: Record<string, unknown>;
  error: string | null;
}

@ObjectType({ description: 'A pipeline step: CHECK_QUALITY, TRAIN or STUDY, EVALUATE, PROMOTE' })
export class PipelineStep {
  @Field(() => String) name!: string;
  @Field(() => StepState) state!: StepState;
  @Field(() => Date, { nullable: true }) startedAt?: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt?: Date | null;
  @Field(() => JSONObjectScalar) outputs!: Record<string, unknown>;
  @Field(() => String, { nullable: true, description: 'Why the step failed (the run stops there)' }) error?:
    string | null;
}

/** A pipeline run: quality check → train (or study) → evaluate against an alias → promote if better. */
@Entity({ tableName: 'pipeline_runs' })
@ObjectType({ description: 'A tracked run of declared steps; a failed step stops the run with its reason' })
export class PipelineRun extends OrganizationEntity {
  [OptionalProps]?: 'state';

  /** A varchar(255) key since before the base entity (the base declares varchar(36)): kept so the table is unchanged. */
  @PrimaryKey({ type: 'string' }) override id: Opt<string> = randomUUID();
  @Index() @Property({ type: 'string' }) override organizationId!: string;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'string' }) createdByKind!: string;
  @Property({ type: 'string' }) @Field(() => String) name!: string;
  @Property({ type: 'string' }) datasetId!: string;
  @Property({ type: 'json' })
  @Field(() => JSONObjectScalar, { description: 'The declared steps as submitted' })
  spec!: Record<string, unknown>;
  @Index() @Property({ type: 'string' }) @Field(() => JobState) state: JobState = JobState.QUEUED;
  @Property({ type: 'json' }) stepRecords!: StepRecord[];
  @Property({ type: 'text', nullable: true }) @Field(() => String, { nullable: true }) error?: string | null;
  @Field(() => Date) override createdAt!: Opt<Date>;
  @Property({ type: 'datetime', nullable: true }) @Field(() => Date, { nullable: true }) finishedAt?: Date | null;

  @Field(() => [PipelineStep])
  steps(): PipelineStep[] {
    return this.stepRecords.map((s) => ({
      ...s,
      startedAt: s.startedAt ? new Date(s.startedAt) : null,
      finishedAt: s.finishedAt ? new Date(s.finishedAt) : null,
    }));
  }

  @Field(() => DatasetRef)
  dataset(): DatasetRef {
    return { id: this.datasetId };
  }

  @Field(() => UserRef)
  createdBy(): UserRef {
    return { id: this.createdById };
  }
}
