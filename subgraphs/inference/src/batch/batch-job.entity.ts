import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';

export enum BatchJobStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  /** Ended with some rows predicted and some refused (empty or invalid cells, non-finite outputs): see rowsFailed and rowErrors. */
  PARTIAL = 'PARTIAL',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(BatchJobStatus, { name: 'BatchJobStatus' });

/** Why one row got no prediction. */
@ObjectType('BatchRowError', { description: 'Why one row (or file record) of a batch job got no prediction' })
export class BatchRowError {
  @Field(() => Int, {
    description:
      'Row number in the dataset, from 1 (the header row is not counted); for file inputs, the record number, from 1',
  })
  row!: number;
  @Field(() => String, { nullable: true, description: 'The dataset column (or model output) at fault, when one is' })
  column!: string | null;
  @Field(() => String) message!: string;
}

/** How many row errors a job keeps (the count in rowsFailed is complete). */
export const MAX_ROW_ERRORS = 20;

/** What the mapped columns of a row hold (see BatchInputKind in the schema). */
export enum BatchInputKind {
  COLUMNS = 'COLUMNS',
  TENSOR = 'TENSOR',
  NPY = 'NPY',
  IMAGE = 'IMAGE',
  AUDIO = 'AUDIO',
}

/** Which dataset columns feed one model input, record by record; jobs stored before kinds read COLUMNS. */
export interface StoredColumnMapping {
  input: string;
  columns: string[];
  kind?: BatchInputKind;
  /** AUDIO: the model's sample rate in Hz. */
  sampleRate?: number;
  /** IMAGE, float inputs: per-channel normalisation, (x / 255 - mean[c]) / std[c]; one value for all channels. */
  mean?: number[];
  std?: number[];
}

/**
 * A batch inference job: a catalog dataset through an endpoint into a new predictions dataset. Its key
 * and organization columns keep the types they had before the base entity (`varchar(255)`).
 */
@Entity({ tableName: 'batch_inference_jobs' })
@Directive('@key(fields: "id")')
@ObjectType()
export class BatchInferenceJob extends OrganizationEntity {
  [OptionalProps]?:
    'status' | 'rowsDone' | 'rowsTotal' | 'rowsFailed' | 'rowErrors' | 'rowErrorList' | 'attempts' | 'progress';

  @PrimaryKey({ type: 'string' })
  @Field(() => ID)
  override id: Opt<string> = randomUUID();

  @Property({ type: 'string', index: true })
  override organizationId!: string;

  @Property({ type: 'string' })
  endpointId!: string;

  @Property({ type: 'string' })
  datasetId!: string;

  @Property({ type: 'json' })
  mapping!: StoredColumnMapping[];

  @Property({ type: 'json' })
  passthroughColumns!: string[];

  @Property({ type: 'string' })
  @Field(() => String)
  outputDatasetName!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  chunkSize!: number;

  @Enum({ items: () => BatchJobStatus, type: 'string' })
  @Field(() => BatchJobStatus)
  status: BatchJobStatus = BatchJobStatus.QUEUED;

  @Property({ type: 'integer' })
  @Field(() => Int)
  rowsDone = 0;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: '0 until the dataset is read' })
  rowsTotal = 0;

  @Property({ type: 'integer', default: 0 })
  @Field(() => Int, {
    description: 'Rows that got no prediction (empty or invalid cells, non-finite model outputs); counted in rowsDone',
  })
  rowsFailed = 0;

  @Property({ type: 'json', nullable: true })
  rowErrorList?: BatchRowError[] | null;

  @Field(() => [BatchRowError], { description: `The first ${MAX_ROW_ERRORS} row errors, by row number` })
  get rowErrors(): BatchRowError[] {
    return this.rowErrorList ?? [];
  }

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Runs started (a restart of the service starts the job again)' })
  attempts = 0;

  @Property({ type: 'string', nullable: true })
  outputDatasetId?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  error?: string | null;

  @Property({ type: 'string' })
  createdById!: string;

  @Field(() => Date)
  override createdAt!: Opt<Date>;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  startedAt?: Date | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  finishedAt?: Date | null;

  @Field(() => Float, { description: 'rowsDone / rowsTotal (0 before the dataset is read)' })
  get progress(): number {
    return this.rowsTotal > 0 ? this.rowsDone / this.rowsTotal : 0;
  }
}
