import { randomInt } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { Logger, Viewer, WorkerPool } from '../../../../lib/src/index';
import { BadUserInputError, DomainError, ForbiddenError, NotFoundError, viewerCan } from '../../../../lib/src/index';
import type { CatalogClient } from '../clients/catalog.client';
import type { SchemasClient } from '../clients/schemas.client';
import { parseAvroSchema } from '../schema-driven/avro.generator';
import { compileJsonSchema } from '../schema-driven/json-schema.generator';
import { SyntheticInputError } from '../table/table.types';
import { SyntheticJobStatus, Synthesizer, TERMINAL_STATUSES } from './job.enums';
import type { CreateSyntheticDataJobInput } from './job.input';
import { SyntheticDataJob } from './synthetic-job.entity';

/** The job service's collaborators. */
export interface JobServiceDeps {
  catalog: CatalogClient;
  schemas: SchemasClient;
  pool: WorkerPool;
  run: (jobId: string, signal: AbortSignal) => Promise<void>;
  publish: (job: SyntheticDataJob) => void;
  /** Live job snapshots of one job (pub/sub). */
  updates: (jobId: string) => AsyncIterable<unknown>;
  maxRows: number;
  logger: Logger;
}

type Problem = { field: string; message: string };

function validate(input: CreateSyntheticDataJobInput, maxRows: number): Problem[] {
  const problems: Problem[] = [];
  const sources = [input.sourceDatasetId, input.schemaVersionId, input.inlineSchema].filter((v) => v != null).length;
  if (sources !== 1) problems.push({ field: 'sourceDatasetId', message: 'give exactly one of sourceDatasetId, schemaVersionId or inlineSchema' });
  if (!Number.isInteger(input.rows) || input.rows < 1 || input.rows > maxRows) problems.push({ field: 'rows', message: `must be between 1 and ${maxRows}` });
  if (input.seed != null && (input.seed < 0 || input.seed > 2 ** 31 - 1)) problems.push({ field: 'seed', message: 'must be between 0 and 2147483647' });
  const dp = input.synthesizer === Synthesizer.DP_GAUSSIAN_COPULA;
  if (dp && !(input.epsilon != null && input.epsilon > 0)) problems.push({ field: 'epsilon', message: 'a positive epsilon is required for DP_GAUSSIAN_COPULA' });
  if (!dp && (input.epsilon != null || input.delta != null)) problems.push({ field: 'epsilon', message: 'epsilon and delta apply to DP_GAUSSIAN_COPULA only' });
  if (input.delta != null && !(input.delta > 0 && input.delta < 1)) problems.push({ field: 'delta', message: 'must be in (0, 1)' });
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
    if (c.min == null && c.max == null && c.allowedValues == null) problems.push({ field: `constraints[${i}]`, message: 'needs min, max or allowedValues' });
    if (c.min != null && c.max != null && c.min > c.max) problems.push({ field: `constraints[${i}].min`, message: 'must not exceed max' });
  });
  return problems;
}

/** Maps another service's refusal to this API's error codes without leaking whether the resource exists. */
function upstream(error: unknown, what: string, id: string): never {
  const code = (error as DomainError).extensions?.code;
  if (code === 'FORBIDDEN' || code === 'NOT_FOUND' || code === 'UNAUTHENTICATED') throw new NotFoundError(what, id);
  throw error;
}

/**
 * Creates a job after checking the caller's own access to the source: catalog (or the schema
 * registry) is asked with the caller's token, so a user who cannot read the source cannot
 * synthesize from it. Column handling MODEL is refused on columns the catalog classifies PII.
 */
export async function createJob(em: EntityManager, viewer: Viewer, authorization: string, input: CreateSyntheticDataJobInput, deps: JobServiceDeps): Promise<SyntheticDataJob> {
  const problems = validate(input, deps.maxRows);
  if (problems.length) throw new BadUserInputError('Invalid synthetic data job', problems);
  if (input.sourceDatasetId) {
    const dataset = await deps.catalog.getDataset(input.sourceDatasetId, authorization).catch((e) => upstream(e, 'Dataset', input.sourceDatasetId!));
    if (!dataset.latestVersion) throw new BadUserInputError('The source dataset has no content', [{ field: 'sourceDatasetId', message: 'has no content version' }]);
    const columnProblems: Problem[] = [];
    (input.columns ?? []).forEach((c, i) => {
      const column = dataset.columns.find((d) => d.name === c.column);
      if (!column) columnProblems.push({ field: `columns[${i}].column`, message: `unknown column ${c.column}` });
      else if (c.handling === 'MODEL' && column.classification === 'PII') {
        columnProblems.push({ field: `columns[${i}].handling`, message: 'a column classified PII is never modelled from the source' });
      }
    });
    if (columnProblems.length) throw new BadUserInputError('Invalid column handling', columnProblems);
  }
  if (input.schemaVersionId) {
    if (!viewerCan(viewer, 'schemas:read')) throw new ForbiddenError('Missing permission schemas:read');
    await deps.schemas.getSchemaVersion(input.schemaVersionId, authorization).catch((e) => upstream(e, 'SchemaVersion', input.schemaVersionId!));
  }
  const job = em.create(SyntheticDataJob, {
    organizationId: viewer.organizationId,
    createdById: viewer.id,
    sourceDatasetId: input.sourceDatasetId ?? null,
    schemaVersionId: input.schemaVersionId ?? null,
    inlineSchema: input.inlineSchema ? { type: input.inlineSchema.type.toUpperCase() as 'JSON' | 'AVRO', schema: input.inlineSchema.schema } : null,
    synthesizer: input.synthesizer ?? Synthesizer.GAUSSIAN_COPULA,
    rows: input.rows,
    seed: input.seed ?? randomInt(0, 2 ** 31 - 1),
    epsilon: input.epsilon ?? null,
    delta: input.synthesizer === Synthesizer.DP_GAUSSIAN_COPULA ? (input.delta ?? 1e-6) : null,
    holdoutFraction: input.holdoutFraction ?? null,
    constraintsJson: (input.constraints ?? []).map((c) => ({ column: c.column, min: c.min ?? null, max: c.max ?? null, allowedValues: c.allowedValues ?? null })),
    columnHandlingJson: (input.columns ?? []).map((c) => ({ column: c.column, handling: c.handling })),
    outputName: input.outputName ?? null,
  });
  await em.flush();
  submit(deps, job.id);
  deps.publish(job);
  return job;
}

function submit(deps: JobServiceDeps, id: string): void {
  deps.pool.submit(id, (signal) => deps.run(id, signal));
}

/** Loads a job of the viewer's organization. @throws NotFoundError otherwise */
export async function requireJob(em: EntityManager, viewer: Viewer, id: string): Promise<SyntheticDataJob> {
  const job = await em.findOne(SyntheticDataJob, { id });
  if (!job) throw new NotFoundError('SyntheticDataJob', id);
  if (job.organizationId !== viewer.organizationId) throw new ForbiddenError('The job belongs to another organization');
  return job;
}

/** Requests cancellation: a queued job stops at once, a running one at its next checkpoint. */
export async function cancelJob(em: EntityManager, viewer: Viewer, id: string, deps: JobServiceDeps): Promise<SyntheticDataJob> {
  const job = await requireJob(em, viewer, id);
  if (TERMINAL_STATUSES.includes(job.status)) {
    throw new DomainError('JOB_FINISHED', `The job is already ${job.status}`, { status: job.status });
  }
  job.cancelRequested = true;
  if (job.status === SyntheticJobStatus.QUEUED) {
    job.status = SyntheticJobStatus.CANCELLED;
    job.stage = 'CANCELLED';
    job.finishedAt = new Date();
  }
  await em.flush();
  deps.pool.cancel(id);
  deps.publish(job);
  return job;
}

/** Restart safety: jobs left QUEUED or RUNNING by a stopped process are queued again. */
export async function resumeUnfinishedJobs(orm: MikroORM, deps: JobServiceDeps): Promise<number> {
  const em = orm.em.fork();
  const jobs = await em.find(SyntheticDataJob, { status: { $in: [SyntheticJobStatus.QUEUED, SyntheticJobStatus.RUNNING] } }, { orderBy: { createdAt: 'asc' } });
  for (const job of jobs) {
    job.status = SyntheticJobStatus.QUEUED;
    job.stage = 'QUEUED';
  }
  await em.flush();
  for (const job of jobs) submit(deps, job.id);
  if (jobs.length) deps.logger.info({ count: jobs.length }, 'resumed unfinished synthetic data jobs');
  return jobs.length;
}
