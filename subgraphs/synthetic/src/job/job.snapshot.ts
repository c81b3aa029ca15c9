import { SyntheticDataJob } from './synthetic-job.entity';

/** Subscription payloads travel as JSON (Redis pub/sub): the job's fields with ISO dates. */
export type JobSnapshot = Omit<SyntheticDataJob, 'createdAt' | 'startedAt' | 'finishedAt'> & {
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

/** The JSON form of a job for pub/sub. */
export function toSnapshot(job: SyntheticDataJob): JobSnapshot {
  return {
    ...job,
    constraintsJson: job.constraintsJson,
    columnHandlingJson: job.columnHandlingJson,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

/** A job object rebuilt from a snapshot, so every field resolver works on it. */
export function fromSnapshot(snapshot: JobSnapshot): SyntheticDataJob {
  return Object.assign(new SyntheticDataJob(), {
    ...snapshot,
    createdAt: new Date(snapshot.createdAt),
    startedAt: snapshot.startedAt ? new Date(snapshot.startedAt) : null,
    finishedAt: snapshot.finishedAt ? new Date(snapshot.finishedAt) : null,
  });
}
