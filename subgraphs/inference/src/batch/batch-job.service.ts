import type { MikroORM } from '@mikro-orm/core';
import type {
  DatasetRef,
  Logger,
  OpenLineageEmitter,
  PubSub,
  RunHandle,
  ServiceTokenSource,
} from '../../../../lib/src/index';
import type { JobAbort, JobContext, JobQueue } from '../../../../lib/src/jobs';
import { LostClaimError } from '../../../../lib/src/jobs';
import type { CatalogDataset } from '../../../../lib/contracts/index';
import {
  CatalogInternalClient,
  LINEAGE_NAMESPACES,
  lineageNames,
  piiColumnsRead,
  readDatasetForJob,
} from '../../../../lib/contracts/index';
import {
  BadUserInputError,
  DomainError,
  NotFoundError,
  assertSameOrganization,
  catalogDatasetRef,
  createOpenLineageEmitter,
} from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { Endpoint } from '../endpoint/endpoint.entity';
import { endpointNode } from '../endpoint/endpoint.lineage';
import type { EndpointRepository } from '../endpoint/endpoint.repository';
import type { EndpointService } from '../endpoint/endpoint.service';
import type { InferenceMetrics } from '../serving/inference.metrics';
import type { ServingRegistry } from '../serving/serving.registry';
import type { BatchJobChunk, ChunkOutputRow } from './batch-job-chunk.entity';
import { BatchInferenceJob, BatchJobStatus, MAX_ROW_ERRORS, type BatchRowError } from './batch-job.entity';
import { FINAL_JOB_STATUSES, type BatchJobRepository } from './batch-job.repository';
import type { StartBatchInferenceInput } from './batch-job.input';
import { parseDatasetRows, toCsv } from './dataset-rows';
import { expandRecords, fileMappingOf, recordInputs, type BatchRecord, type RecordInput } from './batch-records';
import { mappingProblems, readMapping } from './mapping-validation';
import type { ModelSignature } from '../runtime/model-signature';
import { tensorToJson, type WireTensor } from '../runtime/tensor.codec';

export const BATCH_PROGRESS_TOPIC = 'INFERENCE_BATCH_PROGRESS';
/** The kind of batch inference jobs on the service's job queue (lib/src/jobs). */
export const BATCH_JOB_KIND = 'batch-inference';
/** How often a progress subscription also reads the job row (another replica runs it, no shared pub/sub). */
const PROGRESS_POLL_MS = 1000;
/** Predicted chunks are committed (output rows and counters, one transaction) at least this often. */
const COMMIT_EVERY_MS = 200;
/** How long a cancel waits for the replica that runs the job to stop it before writing CANCELLED itself. */
const CANCEL_WAIT_MS = 2500;
const FINAL = FINAL_JOB_STATUSES;
const LINEAGE_PRODUCER = 'https://github.com/aic-platform/aic-ai-platform/tree/main/subgraphs/inference';
/** What a job does as a service: read its dataset, write predictions and their lineage, read model versions. */
const JOB_PERMISSIONS = ['catalog:read', 'catalog:write', 'models:read'];

export interface BatchJobPayload {
  jobId: string;
}

/** The claim's resume point: the first row after the last committed chunk. */
interface BatchCheckpoint {
  nextRow: number;
}

/** The job row is final already (cancelled or finished elsewhere): this attempt writes nothing more. */
class JobRowFinalError extends Error {
  constructor(readonly jobId: string) {
    super(`batch job ${jobId} is already finished`);
    this.name = 'JobRowFinalError';
  }
}

export interface BatchJobServiceDeps {
  /** Jobs run on their own EntityManager fork, outside any request. */
  orm: MikroORM;
  jobs: BatchJobRepository;
  endpointRepository: EndpointRepository;
  /** The service's job queue: jobs are enqueued and cancelled through it, from any replica. */
  queue: JobQueue;
  pubSub: PubSub;
  serving: ServingRegistry;
  endpoints: EndpointService;
  tokens?: ServiceTokenSource;
  catalogUrl: string;
  metrics: InferenceMetrics;
  logger: Logger;
  clock: Clock;
}

/**
 * Batch inference: rows of a catalog dataset through an endpoint, written back as a new dataset,
 * with progress events, cancellation and OpenLineage events. Jobs run on the service's job queue
 * (one replica claims each); every chunk's output is committed with the job's counters, so a job
 * taken over after its worker died (or handed back on SIGTERM) resumes after its last committed
 * chunk, and the output dataset is written once at the end from the committed chunks.
 */
export class BatchJobService {
  private readonly lineageEmitter: OpenLineageEmitter;
  private readonly catalog: CatalogInternalClient;

  constructor(private readonly deps: BatchJobServiceDeps) {
    this.catalog = new CatalogInternalClient(deps.catalogUrl);
    this.lineageEmitter = createOpenLineageEmitter({
      catalogUrl: deps.catalogUrl,
      producer: LINEAGE_PRODUCER,
      authorization: async (organizationId) => {
        if (!deps.tokens) throw new Error('batch inference needs AIC_SERVICE_SECRET to report lineage to the catalog');
        return `Bearer ${await deps.tokens.getToken(organizationId, JOB_PERMISSIONS)}`;
      },
    });
  }

  /** Starts a job over a dataset the caller can read (checked with its token when given). */
  async start(
    scope: RequestScope,
    input: StartBatchInferenceInput,
    authorization?: string,
  ): Promise<BatchInferenceJob> {
    const { viewer, em } = scope;
    const endpoint = await this.deps.endpoints.get(scope, input.endpoint);
    const { mapping, errors } = readMapping(input.mapping);
    const chunkSize = input.chunkSize ?? 64;
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 4096)
      errors.push({ field: 'chunkSize', message: 'must be an integer from 1 to 4096' });
    if (!input.outputDatasetName?.trim()) errors.push({ field: 'outputDatasetName', message: 'must not be empty' });
    if (errors.length) throw new BadUserInputError('Invalid batch inference job', errors);
    if (!this.deps.tokens)
      throw new DomainError(
        'SERVICE_UNAVAILABLE',
        'batch inference needs AIC_SERVICE_SECRET to act on the catalog for its user',
      );
    // The job reads the dataset and writes its output as the caller (a delegated token): refused now, not at the end.
    const lacking = ['catalog:read', 'catalog:write'].filter((p) => !viewer.permissions.includes(p));
    if (lacking.length > 0)
      throw new DomainError(
        'FORBIDDEN',
        `A batch job reads its dataset and registers its output dataset as you: it needs ${lacking.join(', ')}`,
        { permission: lacking[0], permissions: lacking },
      );
    if (authorization) {
      const dataset = await this.dataset(input.dataset, authorization);
      const known = new Set(dataset.columns.map((c) => c.name));
      const missing = [...input.mapping.flatMap((m) => m.columns), ...(input.passthroughColumns ?? [])].filter(
        (c) => !known.has(c),
      );
      if (missing.length)
        throw new BadUserInputError(
          'Unknown dataset columns',
          missing.map((c) => ({ field: 'mapping', message: `dataset ${dataset.name} has no column "${c}"` })),
        );
      // The job's delegated read asks for catalog:read-pii when a column it reads is classified PII (readDatasetForJob).
      const used = [...new Set([...mapping.flatMap((m) => m.columns), ...(input.passthroughColumns ?? [])])];
      const pii = piiColumnsRead(dataset, used);
      if (pii.length > 0 && !viewer.permissions.includes('catalog:read-pii'))
        throw new DomainError(
          'FORBIDDEN',
          `Reading column${pii.length > 1 ? 's' : ''} ${pii.map((c) => `"${c}"`).join(', ')} of dataset "${dataset.name}" (classified PII) needs the permission catalog:read-pii`,
          { permission: 'catalog:read-pii', dataset: dataset.name, columns: pii },
        );
    }
    // A job bound to fail on every record (an input left unmapped, an image model fed table columns,
    // audio mapped to an image input) is refused now, against the signature the job will run with.
    const signature = await this.signatureFor(endpoint, viewer.organizationId);
    if (signature) {
      const problems = mappingProblems(mapping, signature.inputs);
      if (problems.length) throw new BadUserInputError("The mapping does not fit the model's inputs", problems);
    }
    const job = em.create(BatchInferenceJob, {
      organizationId: viewer.organizationId,
      endpointId: endpoint.id,
      datasetId: input.dataset,
      mapping,
      passthroughColumns: input.passthroughColumns ?? [],
      outputDatasetName: input.outputDatasetName.trim(),
      chunkSize,
      createdById: viewer.id,
    });
    await em.flush();
    await this.deps.queue.enqueue(BATCH_JOB_KIND, job.id, { jobId: job.id } satisfies BatchJobPayload);
    return job;
  }

  /** A job of the viewer's organization. @throws NOT_FOUND, FORBIDDEN */
  async get({ viewer, em }: RequestScope, id: string): Promise<BatchInferenceJob> {
    const job = await this.deps.jobs.findById(em, id);
    if (!job) throw new NotFoundError('BatchInferenceJob', id);
    assertSameOrganization(viewer, job.organizationId);
    return job;
  }

  /** The viewer's organization's latest 200 jobs, newest first. */
  list({ viewer, em }: RequestScope): Promise<BatchInferenceJob[]> {
    return this.deps.jobs.recentInOrganization(em, viewer.organizationId, 200);
  }

  /** `BatchInferenceJob` for other subgraphs: null unless it is the viewer's organization's. */
  reference({ viewer, em }: RequestScope, id: string): Promise<BatchInferenceJob | null> {
    return this.deps.jobs.findInOrganization(em, viewer.organizationId, id);
  }

  /** The job's endpoint; null when it was deleted. */
  endpointOf({ em }: RequestScope, job: BatchInferenceJob): Promise<Endpoint | null> {
    return this.deps.endpointRepository.findInOrganization(em, job.organizationId, job.endpointId);
  }

  /**
   * Progress of a job of the viewer's organization: its state now (so a late subscriber, even after
   * the job ended, gets an answer), then every change, ending after the final state.
   */
  async progress(scope: RequestScope, id: string): Promise<AsyncIterable<unknown>> {
    const job = await this.get(scope, id);
    return this.follow(job.id);
  }

  private async *follow(id: string): AsyncGenerator<unknown> {
    // Listen before reading the state again, so no change falls between the two.
    const live = this.deps.pubSub.subscribe(BATCH_PROGRESS_TOPIC, id)[Symbol.asyncIterator]();
    try {
      const now = await this.deps.jobs.findById(this.deps.orm.em.fork(), id);
      if (!now) return;
      let last = this.progressOf(now);
      yield last;
      if (FINAL.includes(last.status)) return;
      let next = live.next();
      for (;;) {
        // Events come over the service's pub/sub (Redis: from every replica); the row is read as well
        // every PROGRESS_POLL_MS, so a job another replica runs is followed without a shared pub/sub.
        let timer: NodeJS.Timeout | undefined;
        const tick = new Promise<'poll'>((resolve) => (timer = setTimeout(() => resolve('poll'), PROGRESS_POLL_MS)));
        const won = await Promise.race([next, tick]);
        clearTimeout(timer);
        let event: ReturnType<BatchJobService['progressOf']>;
        if (won === 'poll') {
          const row = await this.deps.jobs.findById(this.deps.orm.em.fork(), id);
          if (!row) return;
          event = this.progressOf(row);
        } else {
          if (won.done) return;
          next = live.next();
          event = won.value as ReturnType<BatchJobService['progressOf']>;
        }
        const final = FINAL.includes(event.status);
        // The same state twice (read and heard), or an older one heard late: nothing new to tell.
        if (!final && event.status === last.status && event.rowsDone <= last.rowsDone) continue;
        if (final && FINAL.includes(last.status)) return;
        yield event;
        last = event;
        if (final) return;
      }
    } finally {
      await live.return?.();
    }
  }

  /**
   * Cancels from any replica: a queued job at once; a running one is stopped by the replica that runs
   * it (within about a second), which writes CANCELLED. When that replica does not answer in time (it
   * died, or stopped before the job's handler ran), the row is written CANCELLED here; a late worker
   * can then no longer change it (every write of a run is conditional on a row that is not final).
   */
  async cancel(scope: RequestScope, id: string): Promise<BatchInferenceJob> {
    const { em } = scope;
    const job = await this.get(scope, id);
    if (FINAL.includes(job.status)) return job;
    const result = await this.deps.queue.cancel(job.id);
    if (result === 'requested') {
      const until = Date.now() + CANCEL_WAIT_MS;
      while (Date.now() < until) {
        const claim = await this.deps.queue.status(job.id);
        if (!claim || claim.state !== 'claimed') break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const written = await this.deps.jobs.updateUnlessFinal(em, job.id, {
      status: BatchJobStatus.CANCELLED,
      error: null,
      finishedAt: this.deps.clock(),
    });
    await em.refresh(job);
    if (written === 1) {
      this.deps.metrics.batchJobs.inc({ status: BatchJobStatus.CANCELLED });
      this.publish(job);
    }
    return job;
  }

  /**
   * Enqueues jobs left QUEUED or RUNNING without a claim (created before jobs ran on the job queue);
   * jobs with a claim are the claim table's (a dead worker's are taken over by its sweep).
   * @returns how many were enqueued
   */
  async resume(): Promise<number> {
    const em = this.deps.orm.em.fork();
    let enqueued = 0;
    for (const job of await this.deps.jobs.unfinished(em))
      if (await this.deps.queue.enqueue(BATCH_JOB_KIND, job.id, { jobId: job.id } satisfies BatchJobPayload))
        enqueued += 1;
    return enqueued;
  }

  /** Makes this process run batch jobs (a consuming replica or a worker). */
  register(concurrency: number): void {
    this.deps.queue.register<BatchJobPayload>(BATCH_JOB_KIND, (ctx) => this.runJob(ctx), { concurrency });
  }

  private publish(job: BatchInferenceJob): void {
    this.deps.pubSub.publish(BATCH_PROGRESS_TOPIC, job.id, this.progressOf(job));
  }

  private progressOf(job: BatchInferenceJob) {
    return {
      id: job.id,
      organizationId: job.organizationId,
      status: job.status,
      rowsDone: job.rowsDone,
      rowsTotal: job.rowsTotal,
      rowsFailed: job.rowsFailed,
      outputDatasetId: job.outputDatasetId ?? null,
      error: job.error ?? null,
    };
  }

  /**
   * The signature of the version the job's records go to (the first weighted route), loading the
   * endpoint on this replica when needed; null when it cannot load (the job then fails with the reason).
   */
  private async signatureFor(endpoint: Endpoint, organizationId: string): Promise<ModelSignature | null> {
    const first = endpoint.routes.find((r) => r.weight > 0)?.modelVersionId;
    if (!first || !this.deps.tokens) return null;
    try {
      await this.deps.serving.ensureLoaded(
        endpoint,
        `Bearer ${await this.deps.tokens.getToken(organizationId, ['models:read'])}`,
      );
      return this.deps.serving.signatureOf(first);
    } catch (err) {
      this.deps.logger.warn({ err, endpoint: endpoint.id }, 'batch job submitted without a loaded model signature');
      return null;
    }
  }

  private dataset(id: string, authorization: string): Promise<CatalogDataset> {
    return this.catalog.getDataset(id, authorization);
  }

  /**
   * Emits START for a run of the job (the run id is the job id, so a restarted job reports the same
   * run); lineage is best effort: a refused event is logged and the job goes on.
   * @returns the run to end, or null when START was not accepted
   */
  private async startLineage(job: BatchInferenceJob, endpoint: Endpoint): Promise<RunHandle | null> {
    const inputs: DatasetRef[] = [
      // The names catalog and models use for the same things, so the lineage graph joins up.
      catalogDatasetRef(job.datasetId),
      ...endpoint.routes.map((r) => ({
        namespace: LINEAGE_NAMESPACES.models,
        name: lineageNames.modelVersion(r.modelVersionId),
      })),
      // The endpoint the rows went through (its deployments name the same node).
      endpointNode(endpoint.id),
    ];
    try {
      return await this.lineageEmitter.startRun(
        job.organizationId,
        { namespace: LINEAGE_NAMESPACES.inference, name: lineageNames.batchInferenceJob(endpoint.name), facets: {} },
        { runId: job.id, inputs },
      );
    } catch (err) {
      this.deps.logger.warn({ err, job: job.id, eventType: 'START' }, 'lineage event not accepted');
      return null;
    }
  }

  private async endLineage(
    run: RunHandle | null,
    job: BatchInferenceJob,
    eventType: string,
    send: (run: RunHandle) => Promise<void>,
  ): Promise<void> {
    if (!run) return;
    await send(run).catch((err) =>
      this.deps.logger.warn({ err, job: job.id, eventType }, 'lineage event not accepted'),
    );
  }

  /**
   * Writes the job row from the attempt that holds the claim, only while the row is not final: a
   * worker that lost its claim writes nothing (LostClaimError), and none ever turns a finished or
   * cancelled job into something else (JobRowFinalError).
   */
  private async writeRow(ctx: JobContext, id: string, changes: Partial<BatchInferenceJob>): Promise<void> {
    await ctx.fenced(async (em) => {
      const n = await this.deps.jobs.updateUnlessFinal(em, id, changes);
      if (n !== 1) throw new JobRowFinalError(id);
    });
  }

  /** One attempt of a job (the handler of `batch-inference` jobs): resumes after the last committed chunk. */
  private async runJob(ctx: JobContext<BatchJobPayload>): Promise<void> {
    const id = ctx.jobId;
    const em = this.deps.orm.em.fork();
    const job = await this.deps.jobs.findById(em, id);
    // Already final (cancelled while queued, or finished by an attempt whose claim bookkeeping was lost).
    if (!job || FINAL.includes(job.status)) return;
    const endpoint = await this.deps.endpointRepository.findById(em, job.endpointId);
    // The committed chunks are the truth (they are written with the counters in one transaction);
    // the claim's checkpoint names the same point unless the process died between the two writes.
    const committed = await this.deps.jobs.committedChunkEnds(em, id);
    const resumeAt = committed.reduce((m, c) => Math.max(m, c.end), 0);
    const checkpoint = ctx.checkpoint.load<BatchCheckpoint>();
    if (checkpoint && checkpoint.nextRow !== resumeAt)
      this.deps.logger.info(
        { job: id, checkpoint: checkpoint.nextRow, committed: resumeAt },
        'batch job resumes after its last committed chunk',
      );
    const tokens = this.deps.tokens as ServiceTokenSource;
    let lineage: RunHandle | null = null;
    try {
      if (!endpoint) throw new Error('the endpoint was deleted');
      // The service loads the endpoint's models; the dataset is read and the output written as the user who started the job.
      const auth = `Bearer ${await tokens.getToken(job.organizationId, ['models:read'])}`;
      const asUser = async (permissions: string[]) =>
        `Bearer ${await tokens.getToken(job.organizationId, permissions, { onBehalfOf: job.createdById })}`;
      const started: Partial<BatchInferenceJob> = {
        status: BatchJobStatus.RUNNING,
        attempts: job.attempts + 1,
        error: null,
        // A job with no committed chunk starts over (also a row left RUNNING by a process before claims existed).
        ...(resumeAt === 0
          ? { startedAt: this.deps.clock(), rowsDone: 0, rowsFailed: 0, rowErrorList: [] }
          : { startedAt: job.startedAt ?? this.deps.clock() }),
      };
      await this.writeRow(ctx, id, started);
      Object.assign(job, started);
      this.publish(job);
      lineage = await this.startLineage(job, endpoint);
      const used = [...new Set([...job.mapping.flatMap((m) => m.columns), ...job.passthroughColumns])];
      const { dataset, content: read } = await readDatasetForJob(this.catalog, tokens, {
        organizationId: job.organizationId,
        datasetId: job.datasetId,
        onBehalfOf: job.createdById,
        columns: used,
        timeoutMs: 300_000,
      });
      const content = read.text;
      await this.deps.serving.ensureLoaded(endpoint, auth);
      const first = endpoint.routes.find((r) => r.weight > 0)?.modelVersionId as string;
      const signature = this.deps.serving.signatureOf(first);
      const rows = expandRecords(parseDatasetRows(content, dataset.format), job.mapping, signature.inputs);
      if (job.rowsTotal !== rows.length) {
        await this.writeRow(ctx, id, { rowsTotal: rows.length });
        job.rowsTotal = rows.length;
      }
      await this.predictRows(ctx, job, endpoint, signature, rows, resumeAt);
      ctx.signal.throwIfAborted();
      const chunks = await this.deps.jobs.chunksInOrder(this.deps.orm.em.fork(), id);
      const covered = chunks.reduce((n, c) => n + (c.end - c.start), 0);
      if (covered !== rows.length || chunks.some((c, i) => c.start !== (i === 0 ? 0 : chunks[i - 1]!.end)))
        throw new Error(`the committed chunks cover ${covered} of ${rows.length} rows: the dataset changed?`);
      if (rows.length > 0 && job.rowsFailed === rows.length) {
        const first = job.rowErrors[0];
        throw new Error(
          `no row could be predicted: all ${rows.length} rows failed (first: ${first?.message ?? 'unknown'})`,
        );
      }
      const table = outputTable(chunks, headColumns(job), job.rowsFailed > 0);
      const created = await this.catalog.createDataset(
        {
          name: job.outputDatasetName,
          description: `Predictions of endpoint ${endpoint.name} over dataset ${dataset.name} (batch job ${job.id})`,
          format: 'CSV',
          content: toCsv(table.columns, table.rows),
          tags: ['predictions'],
        },
        await asUser(['catalog:write']),
      );
      const partial = job.rowsFailed > 0;
      const finished: Partial<BatchInferenceJob> = {
        status: partial ? BatchJobStatus.PARTIAL : BatchJobStatus.SUCCEEDED,
        error: partial
          ? `${job.rowsFailed} of ${rows.length} rows got no prediction (first: ${job.rowErrors[0]?.message})`
          : null,
        outputDatasetId: created.id,
        finishedAt: this.deps.clock(),
      };
      await this.writeRow(ctx, id, finished);
      Object.assign(job, finished);
      await this.endLineage(lineage, job, 'COMPLETE', (run) => run.complete([catalogDatasetRef(created.id)]));
    } catch (error) {
      const why = ctx.signal.aborted ? (ctx.signal.reason as JobAbort).why : undefined;
      // Shutdown: hand the job back as it is (RUNNING, its chunks kept) for any replica to resume.
      // Lost claim, or a row made final elsewhere (a cancel that wrote it): write nothing more.
      if (why === 'shutdown' || why === 'lost' || error instanceof LostClaimError) throw error;
      if (error instanceof JobRowFinalError) {
        if (why === 'cancel') throw error;
        return;
      }
      const cancelled = why === 'cancel';
      // The runtime's own message keeps the details (which tensor, which row) that a job owner needs.
      const message = error instanceof Error ? error.message : String(error);
      const ended: Partial<BatchInferenceJob> = {
        status: cancelled ? BatchJobStatus.CANCELLED : BatchJobStatus.FAILED,
        error: cancelled ? null : message,
        finishedAt: this.deps.clock(),
      };
      try {
        await this.writeRow(ctx, id, ended);
        Object.assign(job, ended);
      } catch (err) {
        if (err instanceof JobRowFinalError) return;
        throw err;
      }
      await this.endLineage(lineage, job, cancelled ? 'ABORT' : 'FAIL', (run) =>
        cancelled ? run.abort() : run.fail(message),
      );
      throw error;
    } finally {
      if (FINAL.includes(job.status)) this.deps.metrics.batchJobs.inc({ status: job.status });
      this.publish(job);
    }
  }

  /**
   * Predicts the records from `from` on, chunk by chunk, and commits each chunk (its output rows and
   * the job's counters, in one fenced transaction) before the next; the claim's checkpoint then names
   * the next record. A record that does not fit its inputs (an empty or invalid cell, a file of the
   * wrong kind, shape or dtype) is not sent to the model, and one whose outputs are not all finite
   * numbers (or not as many as the first records') is not reported as a prediction: both are counted
   * in rowsFailed with their number and column, and written with empty outputs and an `error` column.
   * Records of a chunk whose shapes differ (files of their own size for a dynamic axis) go to the model
   * in runs of one shape.
   */
  private async predictRows(
    ctx: JobContext,
    job: BatchInferenceJob,
    endpoint: Endpoint,
    signature: ModelSignature,
    records: BatchRecord[],
    from: number,
  ): Promise<void> {
    const fixed = signature.inputs[0]?.shape[0];
    const chunk = typeof fixed === 'number' ? fixed : job.chunkSize;
    const named = fileMappingOf(job.mapping) !== undefined;
    const headWidth = headColumns(job).length;
    const head = (index: number, record: BatchRecord, version: string | null): unknown[] => [
      index,
      ...(named ? [record.name] : []),
      ...job.passthroughColumns.map((c) => record.row[c]),
      version,
    ];
    // The output columns of the whole job: those of its first prediction (a resumed job's, committed before).
    let established: string[] | null =
      from > 0
        ? ((await this.deps.jobs.chunksInOrder(this.deps.orm.em.fork(), job.id)).find((c) => c.columns)?.columns ??
          null)
        : null;
    // Model chunks are committed together until COMMIT_EVERY_MS has passed: a transaction per small
    // chunk costs more than the model. A commit (one `batch_inference_chunks` row) is the resume unit.
    let group: {
      start: number;
      end: number;
      columns: string[] | null;
      rows: ChunkOutputRow[];
      errors: BatchRowError[];
    } | null = null;
    let lastCommit = performance.now();
    const commit = async (): Promise<void> => {
      if (!group) return;
      const g = group;
      group = null;
      const counters = {
        rowsDone: g.end,
        rowsFailed: job.rowsFailed + g.errors.length,
        rowErrorList: [...(job.rowErrorList ?? []), ...g.errors].slice(0, MAX_ROW_ERRORS),
      };
      await ctx.fenced(async (em) => {
        const n = await this.deps.jobs.updateUnlessFinal(em, job.id, counters);
        if (n !== 1) throw new JobRowFinalError(job.id);
        await this.deps.jobs.insertChunk(em, {
          jobId: job.id,
          start: g.start,
          end: g.end,
          columns: g.columns,
          rows: g.rows,
          attempt: ctx.attempt,
        });
      });
      Object.assign(job, counters);
      await ctx.checkpoint.save({ nextRow: g.end } satisfies BatchCheckpoint);
      lastCommit = performance.now();
      this.deps.metrics.batchRows.inc({ endpoint: endpoint.name }, g.end - g.start);
      this.publish(job);
    };
    for (let start = from; start < records.length; start += chunk) {
      // Cancel or shutdown: the chunks predicted so far are committed, then the run stops.
      if (ctx.signal.aborted) {
        await commit();
        ctx.signal.throwIfAborted();
      }
      const end = Math.min(records.length, start + chunk);
      const out: { index: number; row: ChunkOutputRow }[] = [];
      const errors: BatchRowError[] = [];
      const fail = (index: number, line: unknown[], column: string | null, message: string) => {
        errors.push({ row: index + 1, column, message });
        out.push({ index, row: { head: line.slice(0, headWidth), error: message } });
      };
      const runs = new Map<string, { index: number; record: BatchRecord; inputs: RecordInput[] }[]>();
      for (let index = start; index < end; index++) {
        const record = records[index]!;
        const prepared = recordInputs(record, index + 1, job.mapping, signature.inputs);
        if ('message' in prepared) fail(index, head(index, record, null), prepared.column, prepared.message);
        else {
          const key = prepared.inputs.map((i) => i.shape.join('x')).join('|');
          const run = runs.get(key) ?? [];
          run.push({ index, record, inputs: prepared.inputs });
          runs.set(key, run);
        }
      }
      let columns: string[] | null = null;
      for (const run of runs.values()) {
        const tensors: WireTensor[] = run[0]!.inputs.map((first, k) => ({
          name: first.name,
          datatype: first.datatype,
          shape: [run.length, ...first.shape],
          data: ([] as unknown[]).concat(...run.map((r) => r.inputs[k]!.data)),
        }));
        const result = await this.deps.serving.predict(endpoint, tensors, `batch:${job.id}:${run[0]!.index}`);
        const perOutput = result.outputs.map((t) => {
          const values = tensorToJson(t);
          return { name: t.name, width: values.length / run.length, values };
        });
        const runColumns = headColumns(job);
        for (const o of perOutput)
          for (let i = 0; i < o.width; i++) runColumns.push(o.width === 1 ? o.name : `${o.name}_${i}`);
        established ??= runColumns;
        const fits = runColumns.length === established.length && runColumns.every((c, i) => c === established![i]);
        if (fits) columns = established;
        for (const { index, record } of run) {
          const line = head(index, record, result.version);
          if (!fits) {
            const sizes = perOutput.map((o) => `"${o.name}" ${o.width}`).join(', ');
            const label = record.name === null ? `row ${index + 1}` : `record "${record.name}"`;
            fail(
              index,
              line,
              perOutput[0]?.name ?? null,
              `${label}: the model's outputs have other sizes (${sizes} values) than the first records' (${established.length - headWidth} columns in all): they cannot share the predictions table`,
            );
            continue;
          }
          const r = run.findIndex((x) => x.index === index);
          let bad: string | null = null;
          for (const o of perOutput) {
            const values = o.values.slice(r * o.width, (r + 1) * o.width);
            if (bad === null && values.some((v) => typeof v === 'number' && !Number.isFinite(v))) bad = o.name;
            line.push(...values);
          }
          if (bad === null) out.push({ index, row: { cells: line } });
          else
            fail(
              index,
              line,
              bad,
              `${record.name === null ? `row ${index + 1}` : `record "${record.name}"`}: the model's output "${bad}" is not a finite number`,
            );
        }
      }
      out.sort((a, b) => a.index - b.index);
      errors.sort((a, b) => a.row - b.row);
      group ??= { start, end: start, columns: null, rows: [], errors: [] };
      group.end = end;
      group.columns ??= columns;
      group.rows.push(...out.map((o) => o.row));
      group.errors.push(...errors);
      if (performance.now() - lastCommit >= COMMIT_EVERY_MS) await commit();
    }
    await commit();
  }
}

/** The columns every output row starts with: the record's index (and name, for file inputs), passthrough columns, the model version. */
function headColumns(job: BatchInferenceJob): string[] {
  return ['row', ...(fileMappingOf(job.mapping) ? ['record'] : []), ...job.passthroughColumns, 'modelVersion'];
}

/** The output dataset from the committed chunks, in row order; failed rows get empty outputs and an `error`. */
function outputTable(
  chunks: BatchJobChunk[],
  head: string[],
  failed: boolean,
): { columns: string[]; rows: unknown[][] } {
  const outColumns = chunks.find((c) => c.columns)?.columns ?? head;
  const width = outColumns.length;
  const rows = chunks.flatMap((c) =>
    c.rows.map((o) => {
      if ('cells' in o) return failed ? [...o.cells, null] : o.cells;
      const line = [...o.head];
      while (line.length < width) line.push(null);
      return [...line, o.error];
    }),
  );
  return { columns: failed ? [...outColumns, 'error'] : outColumns, rows };
}
