import { randomInt } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from '../../../../lib/src/index';
import type { JobQueue } from '../../../../lib/src/jobs';
import { BadUserInputError, DomainError, ForbiddenError, NotFoundError, viewerCan } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { CatalogClient } from '../clients/catalog.client';
import type { SchemasClient } from '../clients/schemas.client';
import type { SyntheticReport } from '../report/synthetic-report.entity';
import { parseAvroSchema } from '../schema-driven/avro.generator';
import { compileJsonSchema } from '../schema-driven/json-schema.generator';
import { SyntheticInputError } from '../table/table.types';
import { SyntheticJobStatus, Synthesizer, TERMINAL_STATUSES } from './job.enums';
import type { CreateSyntheticDataJobInput } from './job.input';
import type { SyntheticJobRepository } from './job.repository';
import type { SyntheticJobPayload } from './job.runner';
import { SYNTHETIC_JOB } from './job.runner';
import type { JobSnapshot } from './job.snapshot';
import { toSnapshot } from './job.snapshot';
import type { JobUpdates } from './job.updates';
import { SyntheticDataJob } from './synthetic-job.entity';

/** The job service's collaborators, built once per process. */
export interface SyntheticJobServiceDeps {
  jobs: SyntheticJobRepository;
  catalog: CatalogClient;
  schemas: SchemasClient;
  /** The service's job queue: jobs are enqueued on it, cancelled through it from any replica. */
  queue: JobQueue;
  updates: JobUpdates;
  logger: Logger;
  clock: Clock;
  /** Largest number of rows one job may ask for. */
  maxRows: number;
}

type Problem = { field: string; message: string };

/** How long the cancel mutation waits for a running job's worker to stop before it answers. */
const CANCEL_WAIT_MS = 2_500;

function validate(input: CreateSyntheticDataJobInput, maxRows: number): Problem[] {
  const problems: Problem[] = [];
  const sources = [input.sourceDatasetId, input.schemaVersionId, input.inlineSchema].filter((v) => v != null).length;
  if (sources !== 1)
    problems.push({
      field: 'sourceDatasetId',
      message: 'give exactly one of sourceDatasetId, schemaVersionId or inlineSchema',
    });
  if (!Number.isInteger(input.rows) || input.rows < 1 || input.rows > maxRows)
    problems.push({ field: 'rows', message: `must be between 1 and ${maxRows}` });
  if (input.seed != null && (input.seed < 0 || input.seed > 2 ** 31 - 1))
    problems.push({ field: 'seed', message: 'must be between 0 and 2147483647' });
  const dp = input.synthesizer === Synthesizer.DP_GAUSSIAN_COPULA;
  if (dp && !(input.epsilon != null && input.epsilon > 0))
    problems.push({ field: 'epsilon', message: 'a positive epsilon is required for DP_GAUSSIAN_COPULA' });
  if (!dp && (input.epsilon != null || input.delta != null))
    problems.push({ field: 'epsilon', message: 'epsilon and delta apply to DP_GAUSSIAN_COPULA only' });
  if (input.delta != null && !(input.delta > 0 && input.delta < 1))
    problems.push({ field: 'delta', message: 'must be in (0, 1)' });
  if (input.holdoutFraction != null && !(input.holdoutFraction >= 0 && input.holdoutFraction <= 0.5)) {
    problems.push({ field: 'holdoutFraction', message: 'must be between 0 and 0.5' });
  }
  if (input.inlineSchema && !['JSON', 'AVRO'].includes(input.inlineSchema.type.toUpperCase())) {
    problems.push({ field: 'inlineSchema.type', message: 'must be JSON or AVRO' });
  } else if (input.inlineSchema) {
    // Refused now rather than as a failed job: invalid schemas, patterns that need backtracking.
    try {
      if (input.inlineSchema.type.toUpperCase() === 'AVRO') parseAvroSchema(input.inlineSchema.schema);
      else compileJsonSchema(input.inlineSchema.schema as object);
    } catch (error) {
      if (!(error instanceof SyntheticInputError)) throw error;
      problems.push({ field: 'inlineSchema.schema', message: error.message });
    }
  }
  (input.constraints ?? []).forEach((c, i) => {
    if (c.min == null && c.max == null && c.allowedValues == null)
      problems.push({ field: `constraints[${i}]`, message: 'needs min, max or allowedValues' });
    if (c.min != null && c.max != null && c.min > c.max)
      problems.push({ field: `constraints[${i}].min`, message: 'must not exceed max' });
  });
  return problems;
}

/** Maps another service's refusal to this API's error codes without leaking whether the resource exists. */
function upstream(error: unknown, what: string, id: string): never {
  const code = (error as DomainError).extensions?.code;
  if (code === 'FORBIDDEN' || code === 'NOT_FOUND' || code === 'UNAUTHENTICATED') throw new NotFoundError(what, id);
  throw error;
}

/** Synthetic data jobs: create, read, cancel and follow them; the job queue (lib/src/jobs) runs them. */
export class SyntheticJobService {
  constructor(private readonly deps: SyntheticJobServiceDeps) {}

  /** A job of the viewer's organization. @throws NotFoundError, or ForbiddenError for another organization's job */
  async get(scope: RequestScope, id: string): Promise<SyntheticDataJob> {
    const job = await this.deps.jobs.findById(scope.em, id);
    if (!job) throw new NotFoundError('SyntheticDataJob', id);
    if (job.organizationId !== scope.viewer.organizationId)
      throw new ForbiddenError('The job belongs to another organization');
    return job;
  }

  /** The organization's jobs (of one status when given), newest first; `first` is clamped to 1..500. */
  list(scope: RequestScope, status: SyntheticJobStatus | undefined, first: number): Promise<SyntheticDataJob[]> {
    return this.deps.jobs.listInOrganization(
      scope.em,
      scope.viewer.organizationId,
      status,
      Math.min(Math.max(first, 1), 500),
    );
  }

  /** `SyntheticDataJob` for other subgraphs, in the viewer's organization (the reference policy checks synthetic:read). */
  visible(scope: RequestScope, id: string): Promise<SyntheticDataJob | null> {
    return this.deps.jobs.findInOrganization(scope.em, scope.viewer.organizationId, id);
  }

  /** The job a report was made by. */
  ofReport(scope: RequestScope, report: SyntheticReport): Promise<SyntheticDataJob> {
    return this.deps.jobs.getById(scope.em, report.jobId);
  }

  /**
   * Creates a job after checking the caller's own access to the source: catalog (or the schema
   * registry) is asked with the caller's token (`authorization`), so a user who cannot read the source cannot
   * synthesize from it. Column handling MODEL is refused on columns the catalog classifies PII.
   */
  async create(
    scope: RequestScope,
    authorization: string,
    input: CreateSyntheticDataJobInput,
  ): Promise<SyntheticDataJob> {
    const { deps } = this;
    const { viewer, em } = scope;
    const problems = validate(input, deps.maxRows);
    if (problems.length) throw new BadUserInputError('Invalid synthetic data job', problems);
    // The job registers its output as its user (a delegated token): refused now rather than failing at the end.
    if (!viewerCan(viewer, 'catalog:write'))
      throw new DomainError(
        'FORBIDDEN',
        'Missing permission catalog:write (the job registers its output dataset as you)',
        {
          permission: 'catalog:write',
        },
      );
    if (input.sourceDatasetId) {
      const dataset = await deps.catalog
        .getDataset(input.sourceDatasetId, authorization)
        .catch((e) => upstream(e, 'Dataset', input.sourceDatasetId!));
      if (!dataset.latestVersion)
        throw new BadUserInputError('The source dataset has no content', [
          { field: 'sourceDatasetId', message: 'has no content version' },
        ]);
      const columnProblems: Problem[] = [];
      (input.columns ?? []).forEach((c, i) => {
        const column = dataset.columns.find((d) => d.name === c.column);
        if (!column) columnProblems.push({ field: `columns[${i}].column`, message: `unknown column ${c.column}` });
        else if (c.handling === 'MODEL' && column.classification === 'PII') {
          columnProblems.push({
            field: `columns[${i}].handling`,
            message: 'a column classified PII is never modelled from the source',
          });
        }
      });
      if (columnProblems.length) throw new BadUserInputError('Invalid column handling', columnProblems);
      // Columns classified PII are faked unread for a user without catalog:read-pii, but a dataset classified
      // PII as a whole leaves nothing the job could read.
      if (dataset.classification === 'PII' && !viewerCan(viewer, 'catalog:read-pii'))
        throw new DomainError(
          'FORBIDDEN',
          `Dataset "${dataset.name}" is classified PII as a whole: synthesizing from it needs the permission catalog:read-pii`,
          { dataset: dataset.name, permission: 'catalog:read-pii' },
        );
    }
    if (input.schemaVersionId) {
      if (!viewerCan(viewer, 'schemas:read')) throw new ForbiddenError('Missing permission schemas:read');
      await deps.schemas
        .getSchemaVersion(input.schemaVersionId, authorization)
        .catch((e) => upstream(e, 'SchemaVersion', input.schemaVersionId!));
    }
    const job = em.create(SyntheticDataJob, {
      organizationId: viewer.organizationId,
      createdById: viewer.id,
      sourceDatasetId: input.sourceDatasetId ?? null,
      schemaVersionId: input.schemaVersionId ?? null,
      inlineSchema: input.inlineSchema
        ? { type: input.inlineSchema.type.toUpperCase() as 'JSON' | 'AVRO', schema: input.inlineSchema.schema }
        : null,
      synthesizer: input.synthesizer ?? Synthesizer.GAUSSIAN_COPULA,
      rows: input.rows,
      seed: input.seed ?? randomInt(0, 2 ** 31 - 1),
      epsilon: input.epsilon ?? null,
      delta: input.synthesizer === Synthesizer.DP_GAUSSIAN_COPULA ? (input.delta ?? 1e-6) : null,
      holdoutFraction: input.holdoutFraction ?? null,
      constraintsJson: (input.constraints ?? []).map((c) => ({
        column: c.column,
        min: c.min ?? null,
        max: c.max ?? null,
        allowedValues: c.allowedValues ?? null,
      })),
      columnHandlingJson: (input.columns ?? []).map((c) => ({ column: c.column, handling: c.handling })),
      outputName: input.outputName ?? null,
    });
    await em.flush();
    await this.enqueue(job.id);
    deps.updates.publish(job);
    return job;
  }

  /**
   * Cancels from any replica: a queued job at once, a running one within the queue's cancel poll (its
   * worker stops and writes CANCELLED). A job registering its output has passed the point of no return.
   * @throws DomainError JOB_FINISHED when it already ended, JOB_FINISHING while it registers its output
   */
  async cancel(scope: RequestScope, id: string): Promise<SyntheticDataJob> {
    const job = await this.get(scope, id);
    const finished = (j: SyntheticDataJob) =>
      new DomainError('JOB_FINISHED', `The job is already ${j.status}`, { status: j.status });
    if (TERMINAL_STATUSES.includes(job.status)) throw finished(job);
    // Conditional on the row, so it and the worker's step to REGISTERING exclude each other.
    const asked = await this.deps.jobs.requestCancel(scope.em, id);
    if (asked === 0) {
      await scope.em.refresh(job);
      if (TERMINAL_STATUSES.includes(job.status)) throw finished(job);
      throw new DomainError('JOB_FINISHING', 'The job is registering its output and can no longer be cancelled', {
        status: job.status,
        stage: job.stage,
      });
    }
    const outcome = await this.deps.queue.cancel(id);
    // Not running anywhere (cancelled in the queue, or a row from before jobs had claims): it ends here.
    if (outcome === 'cancelled' || outcome === 'unknown')
      await this.deps.jobs.cancelQueued(scope.em, id, this.deps.clock());
    else if (outcome === 'requested') {
      // Its worker stops within the cancel poll; answer with the outcome when it comes in time.
      for (let waited = 0; waited < CANCEL_WAIT_MS; waited += 100) {
        if ((await this.deps.queue.status(id))?.state !== 'claimed') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await this.settle(scope.em, id);
    }
    await scope.em.refresh(job);
    this.deps.updates.publish(job);
    return job;
  }

  /**
   * Current state first, then live updates: listening starts before the state is read, so no
   * change between the two is lost, and a client that subscribes late still sees the end.
   */
  async *follow(scope: RequestScope, id: string): AsyncGenerator<JobSnapshot> {
    const { viewer } = scope;
    if (!viewerCan(viewer, 'synthetic:read')) throw new ForbiddenError('Missing permission synthetic:read');
    const iterator = this.deps.updates.of(id)[Symbol.asyncIterator]();
    try {
      const job = await this.get(scope, id);
      yield toSnapshot(job);
      if (TERMINAL_STATUSES.includes(job.status)) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        const snapshot = next.value as JobSnapshot;
        if (snapshot.organizationId !== viewer.organizationId) continue;
        yield snapshot;
        if (TERMINAL_STATUSES.includes(snapshot.status)) return;
      }
    } finally {
      await iterator.return?.();
    }
  }

  /**
   * Jobs left QUEUED or RUNNING before jobs had claims (no claim row) are enqueued; the others are
   * the claim sweep's (it takes over a dead worker's jobs). @returns how many were enqueued
   */
  async resume(em: EntityManager): Promise<number> {
    let added = 0;
    for (const job of await this.deps.jobs.findUnfinished(em)) {
      if (await this.enqueue(job.id)) added++;
      else await this.settle(em, job.id);
    }
    if (added) this.deps.logger.info({ count: added }, 'enqueued synthetic data jobs left from before the job queue');
    return added;
  }

  /**
   * A row left unfinished under a finished claim (cancelled before its handler started, or a worker
   * that died between its last write and the claim's end) takes the claim's end: CANCELLED when a cancel
   * was asked for or the claim was cancelled, FAILED otherwise.
   */
  private async settle(em: EntityManager, id: string): Promise<void> {
    const claim = await this.deps.queue.status(id);
    if (!claim || claim.state === 'queued' || claim.state === 'claimed' || claim.state === 'done') return;
    const job = await this.deps.jobs.findById(em.fork(), id);
    if (!job || TERMINAL_STATUSES.includes(job.status)) return;
    const cancelled = claim.state === 'cancelled' || job.cancelRequested;
    await this.deps.jobs.updateUnfinished(
      em,
      id,
      cancelled
        ? { status: SyntheticJobStatus.CANCELLED, stage: 'CANCELLED', finishedAt: this.deps.clock() }
        : {
            status: SyntheticJobStatus.FAILED,
            stage: 'FAILED',
            error: 'internal error while synthesizing',
            finishedAt: this.deps.clock(),
          },
    );
  }

  private enqueue(id: string): Promise<boolean> {
    const payload: SyntheticJobPayload = { jobId: id };
    return this.deps.queue.enqueue(SYNTHETIC_JOB, id, payload);
  }
}
