import type { PubSub } from '../../../../lib/src/index';
import { toSnapshot } from './job.snapshot';
import type { SyntheticDataJob } from './synthetic-job.entity';

/** Topic of job updates; the job id is the dynamic topic id. */
export const JOB_UPDATED = 'SYNTHETIC_JOB_UPDATED';

/** Job changes on pub/sub (Redis when configured): published as JSON snapshots, one topic id per job. */
export class JobUpdates {
  constructor(private readonly pubSub: PubSub) {}

  publish(job: SyntheticDataJob): void {
    this.pubSub.publish(JOB_UPDATED, job.id, toSnapshot(job));
  }

  /** Live snapshots of one job. */
  of(jobId: string): AsyncIterable<unknown> {
    return this.pubSub.subscribe(JOB_UPDATED, jobId);
  }
}
