import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type {
  DatasetRef,
  Logger,
  OpenLineageEmitter,
  PubSub,
  RunHandle,
  ServiceTokenSource,
  WorkerPool,
} from '../../../../lib/src/index';
import type { CatalogDataset } from '../../../../lib/contracts/index';
import { CatalogInternalClient, LINEAGE_NAMESPACES, lineageNames } from '../../../../lib/contracts/index';
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
import type { EndpointRepository } from '../endpoint/endpoint.repository';
import type { EndpointService } from '../endpoint/endpoint.service';
import type { InferenceMetrics } from '../serving/inference.metrics';
import type { ServingRegistry } from '../serving/serving.registry';
import { BatchInferenceJob, BatchJobStatus, MAX_ROW_ERRORS, type BatchRowError } from './batch-job.entity';
import type { BatchJobRepository } from './batch-job.repository';
import type { StartBatchInferenceInput } from './batch-job.input';
import { parseDatasetRows, rowProblem, rowsToTensors, toCsv, type Row } from './dataset-rows';
import { tensorToJson } from '../runtime/tensor.codec';

export const BATCH_PROGRESS_TOPIC = 'INFERENCE_BATCH_PROGRESS';
const FINAL = [BatchJobStatus.SUCCEEDED, BatchJobStatus.PARTIAL, BatchJobStatus.FAILED, BatchJobStatus.CANCELLED];
const LINEAGE_PRODUCER = 'https://github.com/aic-platform/aic-ai-platform/tree/main/subgraphs/inference';
/** What a job does as a service: read its dataset, write predictions and their lineage, read model versions. */
const JOB_PERMISSIONS = ['catalog:read', 'catalog:write', 'models:read'];

export interface BatchJobServiceDeps {
  /** Jobs run on their own EntityManager fork, outside any request. */
  orm: MikroORM;
  jobs: BatchJobRepository;
  endpointRepository: EndpointRepository;
  pool: WorkerPool;
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
 * with progress events, cancellation, OpenLineage events and restart (a job that was running when
 * the process died runs again from the start: its output is written only at the end).
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
    const errors: { field: string; message: string }[] = [];
    if (input.mapping.length === 0)
      errors.push({ field: 'mapping', message: 'map at least one model input to columns' });
    input.mapping.forEach((m, i) => {
      if (m.columns.length === 0) errors.push({ field: `mapping[${i}].columns`, message: 'needs at least one column' });
    });
    const chunkSize = input.chunkSize ?? 64;
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 4096)
      errors.push({ field: 'chunkSize', message: 'must be an integer from 1 to 4096' });
    if (!input.outputDatasetName?.trim()) errors.push({ field: 'outputDatasetName', message: 'must not be empty' });
    if (errors.length) throw new BadUserInputError('Invalid batch inference job', errors);
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
    }
    if (!this.deps.tokens)
      throw new DomainError(
        'SERVICE_UNAVAILABLE',
        'batch inference needs AIC_SERVICE_SECRET to act on the catalog as a service',
      );
    const job = em.create(BatchInferenceJob, {
      organizationId: viewer.organizationId,
      endpointId: endpoint.id,
      datasetId: input.dataset,
      mapping: input.mapping.map((m) => ({ input: m.input, columns: m.columns })),
      passthroughColumns: input.passthroughColumns ?? [],
      outputDatasetName: input.outputDatasetName.trim(),
      chunkSize,
      createdById: viewer.id,
    });
    await em.flush();
    this.submit(job.id);
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
      yield this.progressOf(now);
      if (FINAL.includes(now.status)) return;
      for (;;) {
        const next = await live.next();
        if (next.done) return;
        const event = next.value as { status: BatchJobStatus };
        yield event;
        if (FINAL.includes(event.status)) return;
      }
    } finally {
      await live.return?.();
    }
  }

  async cancel(scope: RequestScope, id: string): Promise<BatchInferenceJob> {
    const { em } = scope;
    const job = await this.get(scope, id);
    if (FINAL.includes(job.status)) return job;
    if (!this.deps.pool.cancel(job.id) || job.status === BatchJobStatus.QUEUED) {
      job.status = BatchJobStatus.CANCELLED;
      job.finishedAt = this.deps.clock();
      await em.flush();
      this.publish(job);
    }
    return job;
  }

  /** Re-submits jobs left QUEUED or RUNNING by a previous process. @returns how many */
  async resume(): Promise<number> {
    const em = this.deps.orm.em.fork();
    const jobs = await this.deps.jobs.unfinished(em);
    for (const job of jobs) this.submit(job.id);
    return jobs.length;
  }

  private submit(id: string): void {
    this.deps.pool.submit(id, (signal) => this.run(id, signal));
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

  private async run(id: string, signal: AbortSignal): Promise<void> {
    const em = this.deps.orm.em.fork();
    const job = await this.deps.jobs.findById(em, id);
    if (!job || FINAL.includes(job.status)) return;
    const endpoint = await this.deps.endpointRepository.findById(em, job.endpointId);
    const tokens = this.deps.tokens as ServiceTokenSource;
    let lineage: RunHandle | null = null;
    try {
      if (!endpoint) throw new Error('the endpoint was deleted');
      const auth = `Bearer ${await tokens.getToken(job.organizationId, JOB_PERMISSIONS)}`;
      Object.assign(job, {
        status: BatchJobStatus.RUNNING,
        startedAt: this.deps.clock(),
        rowsDone: 0,
        rowsFailed: 0,
        rowErrorList: [],
        attempts: job.attempts + 1,
        error: null,
      });
      await em.flush();
      this.publish(job);
      lineage = await this.startLineage(job, endpoint);
      const dataset = await this.dataset(job.datasetId, auth);
      const { text: content } = await this.catalog.getContent(job.datasetId, auth);
      const rows = parseDatasetRows(content, dataset.format);
      job.rowsTotal = rows.length;
      await em.flush();
      const table = await this.predictRows(job, endpoint, rows, signal, auth, em);
      if (signal.aborted) throw new DOMException('cancelled', 'AbortError');
      if (rows.length > 0 && job.rowsFailed === rows.length) {
        const first = job.rowErrors[0];
        throw new Error(
          `no row could be predicted: all ${rows.length} rows failed (first: ${first?.message ?? 'unknown'})`,
        );
      }
      const created = await this.catalog.createDataset(
        {
          name: job.outputDatasetName,
          description: `Predictions of endpoint ${endpoint.name} over dataset ${dataset.name} (batch job ${job.id})`,
          format: 'CSV',
          content: toCsv(table.columns, table.rows),
          tags: ['predictions'],
        },
        auth,
      );
      const partial = job.rowsFailed > 0;
      Object.assign(job, {
        status: partial ? BatchJobStatus.PARTIAL : BatchJobStatus.SUCCEEDED,
        error: partial
          ? `${job.rowsFailed} of ${rows.length} rows got no prediction (first: ${job.rowErrors[0]?.message})`
          : null,
        outputDatasetId: created.id,
        finishedAt: this.deps.clock(),
      });
      await em.flush();
      await this.endLineage(lineage, job, 'COMPLETE', (run) => run.complete([catalogDatasetRef(created.id)]));
    } catch (error) {
      const cancelled = signal.aborted;
      // The runtime's own message keeps the details (which tensor, which row) that a job owner needs.
      const message = error instanceof Error ? error.message : String(error);
      Object.assign(job, {
        status: cancelled ? BatchJobStatus.CANCELLED : BatchJobStatus.FAILED,
        error: cancelled ? null : message,
        finishedAt: this.deps.clock(),
      });
      await em.flush();
      await this.endLineage(lineage, job, cancelled ? 'ABORT' : 'FAIL', (run) =>
        cancelled ? run.abort() : run.fail(message),
      );
    } finally {
      this.deps.metrics.batchJobs.inc({ status: job.status });
      this.publish(job);
    }
  }

  /** Records a row that got no prediction (the first MAX_ROW_ERRORS are kept). */
  private failRow(job: BatchInferenceJob, error: BatchRowError): void {
    job.rowsFailed += 1;
    const list = job.rowErrorList ?? [];
    if (list.length < MAX_ROW_ERRORS) job.rowErrorList = [...list, error];
  }

  /**
   * Predicts the rows chunk by chunk. A row with an empty or invalid mapped cell is not sent to the
   * model, and a row whose outputs are not all finite numbers is not reported as a prediction: both are
   * counted in rowsFailed with their row number and column, and written with empty outputs and an
   * `error` column.
   */
  private async predictRows(
    job: BatchInferenceJob,
    endpoint: Endpoint,
    rows: Row[],
    signal: AbortSignal,
    auth: string,
    em: EntityManager,
  ) {
    await this.deps.serving.ensureLoaded(endpoint, auth);
    const first = endpoint.routes.find((r) => r.weight > 0)?.modelVersionId as string;
    const signature = this.deps.serving.signatureOf(first);
    const fixed = signature.inputs[0]?.shape[0];
    const chunk = typeof fixed === 'number' ? fixed : job.chunkSize;
    const outColumns: string[] = [];
    // A predicted row's cells, or the error of a row without prediction (its output cells are filled in at the end).
    const outRows: ({ cells: unknown[] } | { head: unknown[]; error: string })[] = [];
    const head = (index: number, row: Row, version: string | null): unknown[] => [
      index,
      ...job.passthroughColumns.map((c) => row[c]),
      version,
    ];
    // Progress is saved and published at most every 200 ms: a flush per small chunk costs more than the model.
    let lastReport = 0;
    let pending: { index: number; row: Row }[] = [];
    const flushChunk = async (): Promise<void> => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      const slice = batch.map((b) => b.row);
      const result = await this.deps.serving.predict(
        endpoint,
        rowsToTensors(slice, batch[0]!.index, job.mapping, signature.inputs),
        `batch:${job.id}:${batch[0]!.index}`,
      );
      const perOutput = result.outputs.map((t) => {
        const values = tensorToJson(t);
        const width = values.length / slice.length;
        return { name: t.name, width, values };
      });
      if (outColumns.length === 0) {
        outColumns.push('row', ...job.passthroughColumns, 'modelVersion');
        for (const o of perOutput)
          for (let i = 0; i < o.width; i++) outColumns.push(o.width === 1 ? o.name : `${o.name}_${i}`);
      }
      batch.forEach(({ index, row }, r) => {
        const line = head(index, row, result.version);
        let bad: string | null = null;
        for (const o of perOutput) {
          const values = o.values.slice(r * o.width, (r + 1) * o.width);
          if (bad === null && values.some((v) => typeof v === 'number' && !Number.isFinite(v))) bad = o.name;
          line.push(...values);
        }
        if (bad === null) outRows.push({ cells: line });
        else {
          const message = `row ${index + 1}: the model's output "${bad}" is not a finite number`;
          this.failRow(job, { row: index + 1, column: bad, message });
          outRows.push({ head: line.slice(0, 2 + job.passthroughColumns.length), error: message });
        }
      });
    };
    for (let start = 0; start < rows.length; start += chunk) {
      if (signal.aborted) break;
      const slice = rows.slice(start, start + chunk);
      for (const [r, row] of slice.entries()) {
        const index = start + r;
        const problem = rowProblem(row, index + 1, job.mapping, signature.inputs);
        if (problem) {
          this.failRow(job, { row: index + 1, column: problem.column, message: problem.message });
          outRows.push({ head: head(index, row, null), error: problem.message });
        } else pending.push({ index, row });
        if (pending.length === chunk) await flushChunk();
      }
      job.rowsDone = Math.min(rows.length, start + slice.length) - pending.length;
      this.deps.metrics.batchRows.inc({ endpoint: endpoint.name }, slice.length);
      if (performance.now() - lastReport >= 200 || job.rowsDone === rows.length) {
        lastReport = performance.now();
        await em.flush();
        this.publish(job);
      }
    }
    if (!signal.aborted) {
      await flushChunk();
      if (job.rowsDone !== rows.length) {
        job.rowsDone = rows.length;
        await em.flush();
        this.publish(job);
      }
    }
    if (outColumns.length === 0) outColumns.push('row', ...job.passthroughColumns, 'modelVersion');
    const failed = job.rowsFailed > 0;
    const width = outColumns.length;
    // Failed rows were recorded before the predictions of their chunk: back in dataset order.
    outRows.sort((a, b) => Number(('cells' in a ? a.cells : a.head)[0]) - Number(('cells' in b ? b.cells : b.head)[0]));
    const table = outRows.map((o) => {
      if ('cells' in o) return failed ? [...o.cells, null] : o.cells;
      const line = [...o.head];
      while (line.length < width) line.push(null);
      return [...line, o.error];
    });
    return { columns: failed ? [...outColumns, 'error'] : outColumns, rows: table };
  }
}
