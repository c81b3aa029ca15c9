import { Entity, Property, Unique } from '@mikro-orm/core';
import { PlatformEntity } from '../../../../lib/src/kit/base.entity';

/** One written row of a chunk's output: a prediction's cells, or the head cells and error of a row without one. */
export type ChunkOutputRow = { cells: unknown[] } | { head: unknown[]; error: string };

/**
 * The committed output of one chunk of a batch job: rows `[start, end)` of the dataset, written in
 * the same transaction as the job's counters (rowsDone, rowsFailed, rowErrors). A job that is taken
 * over resumes after its last committed chunk and never predicts or writes these rows again; the
 * output dataset is assembled from the chunks at the end. The unique key (job, start) makes a second
 * write of the same chunk impossible.
 */
@Entity({ tableName: 'batch_inference_chunks' })
@Unique({ properties: ['jobId', 'start'] })
export class BatchJobChunk extends PlatformEntity {
  @Property({ type: 'string', length: 36 })
  jobId!: string;

  /** The first dataset row of the chunk (from 0). */
  @Property({ type: 'integer' })
  start!: number;

  /** One past the last dataset row of the chunk. */
  @Property({ type: 'integer' })
  end!: number;

  /** The output columns the chunk's predictions have (null when none of its rows was predicted). */
  @Property({ type: 'json', nullable: true })
  columns?: string[] | null;

  @Property({ type: 'json' })
  rows!: ChunkOutputRow[];

  /** The fencing token of the attempt that wrote it. */
  @Property({ type: 'integer' })
  attempt!: number;
}
