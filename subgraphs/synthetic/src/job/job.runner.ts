import type { FilterQuery, MikroORM } from '@mikro-orm/core';
import type { Logger, OpenLineageEmitter, RunHandle, ServiceTokenSource } from '../../../../lib/src/index';
import { catalogDatasetRef, OpenLineageEmitError } from '../../../../lib/src/index';
import type { JobAbort, JobContext } from '../../../../lib/src/jobs';
import { LostClaimError } from '../../../../lib/src/jobs';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { CatalogClient } from '../clients/catalog.client';
import type { SchemasClient } from '../clients/schemas.client';
import type { SyntheticReportRepository } from '../report/report.repository';
import { SyntheticReport } from '../report/synthetic-report.entity';
import { generateAvroRecords } from '../schema-driven/avro.generator';
import { generateJsonRecords } from '../schema-driven/json-schema.generator';
import { SynthesisCancelledError, synthesize } from '../synthesizer/synthesize';
import type { ColumnHint } from '../table/column-inference';
import { parseCsv, parseJsonLines, toCsv } from '../table/csv.codec';
import { SyntheticInputError } from '../table/table.types';
import type { Table } from '../table/table.types';
import { SyntheticJobStatus, TERMINAL_STATUSES } from './job.enums';
import { startJobRun } from './job.lineage';
import type { SyntheticJobRepository } from './job.repository';
import type { JobUpdates } from './job.updates';
import { complianceOf, privacyOf, qualityOf } from './report.mapper';
import type { SyntheticDataJob } from './synthetic-job.entity';

/** What a background run needs (built once per process by the composition root). */
export interface JobRunnerDeps {
  orm: MikroORM;
  jobs: SyntheticJobRepository;
  reports: SyntheticReportRepository;
  catalog: CatalogClient;
  schemas: SchemasClient;
  tokens: ServiceTokenSource;
  /** lib's OpenLineage client, posting to the catalog with the job's service token. */
  lineage: OpenLineageEmitter;
  updates: JobUpdates;
  logger: Logger;
  clock: Clock;
}

/** Permissions the job's service token asks identity for. */
export const JOB_PERMISSIONS = ['catalog:read', 'catalog:read-pii', 'catalog:write', 'schemas:read'];

interface Output {
  table: Table | null;
  content: string;
  format: 'CSV' | 'JSONL';
  report: Omit<SyntheticReport, 'id' | 'createdAt' | 'organizationId' | 'jobId'>;
  classification: string;
  columns: { name: string; classification: string }[];
  name: string;
}

/** The kind of synthetic data jobs in the claim table (`job_claim`); the claim's job id is the job's id. */
export const SYNTHETIC_JOB = 'synthetic';

export interface SyntheticJobPayload {
  jobId: string;
}

/** The `idempotency-key` the job's output dataset is created with: one output dataset per job, whatever the attempts. */
export const outputKeyOf = (jobId: string): string => `synthetic-job:${jobId}`;

/**
 * Runs one attempt of a job (a handler of lib/src/jobs): reads the source through catalog's internal
 * routes as the synthetic service, synthesizes with progress and cancellation, registers the output
 * dataset, stores the report and sends OpenLineage START/COMPLETE (or FAIL/ABORT) events.
 *
 * Every write of the job row goes through `ctx.fenced` (a worker that lost its claim writes nothing)
 * and is conditional on the row not being terminal. A takeover restarts the job whole (the same seed
 * gives the same output). The output is written once: the step to REGISTERING is conditional on no
 * cancel having been asked for (and the cancel mutation refuses a REGISTERING job), and the dataset is
 * created with the job's idempotency key, so an attempt that died after creating it finds it again.
 */
export class SyntheticJobRunner {
  constructor(private readonly deps: JobRunnerDeps) {}

  async run(ctx: JobContext<SyntheticJobPayload>): Promise<void> {
    const { deps } = this;
    const now = deps.clock;
    const jobId = ctx.payload.jobId;
    const job = await deps.jobs.findById(deps.orm.em.fork(), jobId);
    if (!job || TERMINAL_STATUSES.includes(job.status)) return;
    /** A fenced, conditional write of the row (not terminal, plus `where`). @returns whether it was written */
    const write = async (changes: Partial<SyntheticDataJob>, where: FilterQuery<SyntheticDataJob> = {}) => {
      const n = await ctx.fenced((em) => deps.jobs.updateUnfinished(em, jobId, changes, where));
      if (n === 1) {
        Object.assign(job, changes);
        deps.updates.publish(job);
      }
      return n === 1;
    };
    const cancelled = () => write({ status: SyntheticJobStatus.CANCELLED, stage: 'CANCELLED', finishedAt: now() });
    if (job.cancelRequested) return void (await cancelled());
    // An earlier attempt passed the point of no return (its output may exist): this one stays there.
    const committed = job.stage === 'REGISTERING' || job.outputDatasetId !== null;
    const stageOf = (stage: string) => (committed ? 'REGISTERING' : stage);
    const started = await write(
      {
        status: SyntheticJobStatus.RUNNING,
        stage: stageOf('FITTING'),
        startedAt: job.startedAt ?? now(),
        attempts: job.attempts + 1,
        error: null,
        progress: 0,
      },
      { cancelRequested: false },
    );
    if (!started) {
      // A cancel landed between the read and the write: end it here.
      await cancelled();
      return;
    }
    let run: RunHandle | null = null;
    let registering = false;
    try {
      const authorization = `Bearer ${await deps.tokens.getToken(job.organizationId, JOB_PERMISSIONS)}`;
      run = await startJobRun(deps.lineage, job);
      let lastSaved = 0;
      const onProgress = async (progress: number, stage: string): Promise<void> => {
        if (progress - lastSaved >= 0.05 || stageOf(stage) !== job.stage) {
          lastSaved = progress;
          await write({ progress: Math.min(progress, 0.99), stage: stageOf(stage) });
        }
      };
      const isCancelled = async (): Promise<boolean> => {
        if (ctx.signal.aborted) return true;
        return deps.jobs.cancelRequested(deps.orm.em.fork(), job.id);
      };
      const output = job.sourceDatasetId
        ? await fromSource(deps, job, authorization, onProgress, isCancelled)
        : await fromSchema(deps, job, authorization);
      if (await isCancelled()) throw new SynthesisCancelledError();
      // The point of no return: from REGISTERING on the job is not cancelled (the cancel mutation
      // refuses it) and a shutdown lets the registration finish; only a lost claim stops it.
      if (!(await write({ stage: 'REGISTERING', progress: 0.97 }, { cancelRequested: false })))
        throw new SynthesisCancelledError();
      registering = true;
      if (!job.outputDatasetId) {
        const created = await deps.catalog.createDataset(
          {
            name: output.name,
            description: `Synthetic data generated by synthetic data job ${job.id} (${job.synthesizer}, seed ${job.seed}).`,
            format: output.format,
            content: output.content,
            classification: output.classification,
            columns: output.columns,
            tags: ['synthetic', job.synthesizer.toLowerCase()],
          },
          authorization,
          outputKeyOf(job.id),
        );
        await write({ outputDatasetId: created.id });
      }
      // The service registered the output; the person who asked for it owns it (re-granting is idempotent).
      await deps.catalog.grantUser(job.outputDatasetId!, job.createdById, 'OWNER', authorization);
      await run.complete([catalogDatasetRef(job.outputDatasetId!)]);
      const reportId = await ctx.fenced(async (em) => {
        const report =
          (await deps.reports.findByJob(em, job.id)) ??
          em.create(SyntheticReport, { ...output.report, organizationId: job.organizationId, jobId: job.id });
        await em.flush();
        const changes = {
          status: SyntheticJobStatus.SUCCEEDED,
          stage: 'DONE',
          progress: 1,
          reportId: report.id,
          finishedAt: now(),
        };
        await deps.jobs.updateUnfinished(em, jobId, changes);
        Object.assign(job, changes);
        return report.id;
      });
      if (reportId) deps.updates.publish(job);
    } catch (error) {
      const why = ctx.signal.aborted ? (ctx.signal.reason as JobAbort | undefined)?.why : undefined;
      // Another worker holds the job now: write nothing.
      if (error instanceof LostClaimError || why === 'lost') throw error;
      const stopped = !registering && (error instanceof SynthesisCancelledError || why !== undefined);
      const requested = await deps.jobs.cancelRequested(deps.orm.em.fork(), job.id);
      if (stopped && why === 'shutdown' && !requested) {
        // The process is stopping, not the user cancelling: the queue hands the job back.
        await write({ status: SyntheticJobStatus.QUEUED, stage: stageOf('QUEUED') }).catch(() => undefined);
        throw error;
      }
      if (stopped) {
        if (run) await run.abort().catch(() => undefined);
        await cancelled();
        // The claim ends cancelled when the cancel came through the queue.
        if (why === 'cancel') throw error;
        return;
      }
      const message = failureMessage(error);
      if (run) await run.fail(message).catch(() => undefined);
      await write({ status: SyntheticJobStatus.FAILED, stage: 'FAILED', error: message, finishedAt: now() });
      throw error;
    }
  }
}

/** What the job's `error` tells its owner: input problems verbatim, upstream trouble by kind, never internals. */
function failureMessage(error: unknown): string {
  if (error instanceof SyntheticInputError) return error.field ? `${error.field}: ${error.message}` : error.message;
  const code = (error as { extensions?: { code?: string } }).extensions?.code;
  if (code === 'NOT_FOUND' || code === 'FORBIDDEN') return 'the source is no longer available to this job';
  if (code === 'SERVICE_UNAVAILABLE' || code === 'UPSTREAM_ERROR' || error instanceof OpenLineageEmitError)
    return 'a platform service the job needs did not answer; the job can be run again';
  return 'internal error while synthesizing';
}

async function fromSource(
  deps: JobRunnerDeps,
  job: SyntheticDataJob,
  authorization: string,
  onProgress: (p: number, s: string) => Promise<void>,
  isCancelled: () => Promise<boolean>,
): Promise<Output> {
  const meta = await deps.catalog.getDataset(job.sourceDatasetId!, authorization);
  const content = await deps.catalog.getContent(job.sourceDatasetId!, authorization);
  const parsed = meta.format === 'JSONL' ? parseJsonLines(content.text) : parseCsv(content.text);
  const dropped = job.columnHandlingJson.filter((h) => h.handling === 'DROP').map((h) => h.column);
  const keep = parsed.columns.map((c, i) => [c, i] as const).filter(([c]) => !dropped.includes(c));
  const source: Table = {
    columns: keep.map(([c]) => c),
    rows: parsed.rows.map((row) => keep.map(([, i]) => row[i] ?? null)),
  };
  const hints: ColumnHint[] = source.columns.map((name) => {
    const handling = job.columnHandlingJson.find((h) => h.column === name)?.handling;
    const classification = meta.columns.find((c) => c.name === name)?.classification ?? null;
    return { name, classification, sdtype: handling === 'FAKE' ? 'pii' : undefined, forceModel: handling === 'MODEL' };
  });
  const result = await synthesize({
    source,
    columnHints: hints,
    synthesizer: job.synthesizer,
    rows: job.rows,
    seed: job.seed,
    constraints: job.constraintsJson,
    epsilon: job.epsilon,
    delta: job.delta,
    holdoutFraction: job.holdoutFraction,
    onProgress,
    isCancelled,
  });
  const piiColumns = result.privacy.piiColumns;
  return {
    table: result.table,
    content: toCsv(result.table),
    format: 'CSV',
    name: job.outputName ?? `${meta.name} (synthetic ${job.id.slice(0, 8)})`,
    classification: meta.classification,
    columns: meta.columns
      .filter((c) => source.columns.includes(c.name) && c.classification)
      .map((c) => ({ name: c.name, classification: c.classification! })),
    report: {
      rows: result.table.rows.length,
      quality: qualityOf(result.quality),
      privacy: privacyOf(result.privacy),
      compliance: complianceOf(job, {
        sourceVersion: meta.latestVersion?.version ?? null,
        sourceSha256: content.sha256 ?? meta.latestVersion?.sha256 ?? null,
        piiColumns,
        droppedColumns: dropped,
        trainingRows: result.trainingRows,
        holdoutRows: result.holdoutRows,
        dp: result.model.dp,
      }),
    },
  };
}

async function fromSchema(deps: JobRunnerDeps, job: SyntheticDataJob, authorization: string): Promise<Output> {
  let type: string;
  let schema: unknown;
  let name: string;
  if (job.schemaVersionId) {
    const version = await deps.schemas.getSchemaVersion(job.schemaVersionId, authorization);
    type = version.type.toUpperCase();
    schema = version.schema;
    name = `${version.subject} v${version.version}`;
  } else {
    type = job.inlineSchema!.type;
    schema = job.inlineSchema!.schema;
    name = 'inline schema';
  }
  let records: unknown[];
  if (type === 'AVRO') records = generateAvroRecords(schema, job.rows, job.seed);
  else if (type === 'JSON' || type === 'JSONSCHEMA' || type === 'JSON_SCHEMA')
    records = generateJsonRecords(schema as object, job.rows, job.seed);
  else
    throw new SyntheticInputError(`schema type ${type} is not supported: use JSON Schema or Avro`, 'schemaVersionId');
  return {
    table: null,
    content: `${records.map((r) => JSON.stringify(r)).join('\n')}\n`,
    format: 'JSONL',
    name: job.outputName ?? `${name} (synthetic ${job.id.slice(0, 8)})`,
    classification: 'INTERNAL',
    columns: [],
    report: {
      rows: records.length,
      quality: null,
      privacy: null,
      compliance: complianceOf(job, {
        sourceVersion: null,
        sourceSha256: null,
        piiColumns: [],
        droppedColumns: [],
        trainingRows: 0,
        holdoutRows: 0,
        dp: null,
      }),
    },
  };
}
