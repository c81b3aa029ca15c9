import type { FilterQuery, MikroORM } from '@mikro-orm/core';
import type { Logger, OpenLineageEmitter, RunHandle, ServiceTokenSource } from '../../../../lib/src/index';
import { catalogDatasetRef, OpenLineageEmitError } from '../../../../lib/src/index';
import type { JobAbort, JobContext } from '../../../../lib/src/jobs';
import { LostClaimError } from '../../../../lib/src/jobs';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { CatalogDataset, CatalogDatasetContent } from '../../../../lib/contracts/index';
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

/** What the synthetic service's own token may do: post the jobs' lineage. Reads and writes act for the user. */
export const LINEAGE_PERMISSIONS = ['catalog:write'];

/**
 * The permissions a job acts with, each asked for as a delegated token of the user who started it:
 * identity refuses (naming the permission) when the user lacks one, so a job never reads or writes
 * more than its user may.
 */
export const JOB_ACTS_WITH = {
  read: ['catalog:read'],
  readPii: ['catalog:read', 'catalog:read-pii'],
  register: ['catalog:read', 'catalog:write'],
  schema: ['schemas:read'],
} as const;

/** Identity refused a delegated token: the user lacks a permission now (or left the organization). */
export class DelegationRefusedError extends Error {}

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
      const actAs = (permissions: readonly string[]) => delegated(deps.tokens, job, permissions);
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
        ? await fromSource(deps, job, actAs, onProgress, isCancelled)
        : await fromSchema(deps, job, actAs);
      if (await isCancelled()) throw new SynthesisCancelledError();
      // The point of no return: from REGISTERING on the job is not cancelled (the cancel mutation
      // refuses it) and a shutdown lets the registration finish; only a lost claim stops it.
      if (!(await write({ stage: 'REGISTERING', progress: 0.97 }, { cancelRequested: false })))
        throw new SynthesisCancelledError();
      registering = true;
      // The output is registered as the user who asked for it: they own it, as if they had uploaded it.
      const authorization = await actAs(JOB_ACTS_WITH.register);
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
  if (error instanceof DelegationRefusedError) return error.message;
  const code = (error as { extensions?: { code?: string } }).extensions?.code;
  if (code === 'NOT_FOUND' || code === 'FORBIDDEN') return 'the source is no longer available to this job';
  if (code === 'SERVICE_UNAVAILABLE' || code === 'UPSTREAM_ERROR' || error instanceof OpenLineageEmitError)
    return 'a platform service the job needs did not answer; the job can be run again';
  return 'internal error while synthesizing';
}

/** A delegated token of the job's user with these permissions, as an Authorization header value. */
async function delegated(
  tokens: ServiceTokenSource,
  job: SyntheticDataJob,
  permissions: readonly string[],
): Promise<string> {
  try {
    return `Bearer ${await tokens.getToken(job.organizationId, [...permissions], { onBehalfOf: job.createdById })}`;
  } catch (error) {
    if ((error as { extensions?: { code?: unknown } }).extensions?.code !== 'FORBIDDEN') throw error;
    throw new DelegationRefusedError((error as Error).message);
  }
}

/** Whether a column's values need `catalog:read-pii` to be read (catalog's rule: its or the dataset's classification). */
const needsPiiPermission = (dataset: CatalogDataset, column: string): boolean =>
  dataset.classification === 'PII' || dataset.columns.some((c) => c.name === column && c.classification === 'PII');

/**
 * Reads the source as the job's user, only the columns the job keeps. Columns classified PII are
 * always faked, so their values serve only the check that no fake equals a source value: they are
 * read when the user holds `catalog:read-pii`, and otherwise left unread (faked from their name and
 * classification alone, and listed as such in the report) rather than failing the job.
 */
async function readSource(
  deps: JobRunnerDeps,
  job: SyntheticDataJob,
  actAs: (permissions: readonly string[]) => Promise<string>,
): Promise<{
  meta: CatalogDataset;
  content: CatalogDatasetContent;
  source: Table;
  dropped: string[];
  unread: string[];
}> {
  const meta = await deps.catalog.getDataset(job.sourceDatasetId!, await actAs(JOB_ACTS_WITH.read));
  const dropped = job.columnHandlingJson.filter((h) => h.handling === 'DROP').map((h) => h.column);
  const kept = meta.columns.map((c) => c.name).filter((c) => !dropped.includes(c));
  const pii = kept.filter((c) => needsPiiPermission(meta, c));
  let unread: string[] = [];
  let authorization: string | null = null;
  if (pii.length > 0) {
    authorization = await actAs(JOB_ACTS_WITH.readPii).catch((error: unknown) => {
      if (error instanceof DelegationRefusedError) return null;
      throw error;
    });
    if (authorization === null) unread = pii;
  }
  const read = kept.filter((c) => !unread.includes(c));
  if (read.length === 0)
    throw new DelegationRefusedError(
      `Every column of dataset "${meta.name}" is classified PII and the user who started this job lacks the permission catalog:read-pii`,
    );
  authorization ??= await actAs(JOB_ACTS_WITH.read);
  // Only the columns kept (all of them, in the stored order, when nothing is left out).
  const projection = read.length === meta.columns.length ? undefined : read;
  const content = await deps.catalog.getContent(job.sourceDatasetId!, authorization, projection);
  const parsed = meta.format === 'JSONL' ? parseJsonLines(content.text) : parseCsv(content.text);
  // The table keeps the source's column order; unread columns have their place, with no source values.
  const order = unread.length ? kept : parsed.columns.filter((c) => !dropped.includes(c));
  const at = order.map((c) => parsed.columns.indexOf(c));
  const width = at.length;
  // The parsed rows serve as they are when they already hold exactly these columns, in this order, with a
  // cell in each place (the common case: nothing dropped or left unread); otherwise each row is rebuilt.
  const asParsed =
    width === parsed.columns.length &&
    at.every((i, k) => i === k) &&
    parsed.rows.every((row) => row.length === width && !(row as unknown[]).includes(undefined));
  const source: Table = {
    columns: order,
    rows: asParsed ? parsed.rows : parsed.rows.map((row) => at.map((i) => (i < 0 ? null : (row[i] ?? null)))),
  };
  return { meta, content, source, dropped, unread };
}

async function fromSource(
  deps: JobRunnerDeps,
  job: SyntheticDataJob,
  actAs: (permissions: readonly string[]) => Promise<string>,
  onProgress: (p: number, s: string) => Promise<void>,
  isCancelled: () => Promise<boolean>,
): Promise<Output> {
  const { meta, content, source, dropped, unread } = await readSource(deps, job, actAs);
  const hints: ColumnHint[] = source.columns.map((name) => {
    const handling = job.columnHandlingJson.find((h) => h.column === name)?.handling;
    const column = meta.columns.find((c) => c.name === name);
    const classification = column?.classification ?? null;
    return {
      name,
      classification: unread.includes(name) ? 'PII' : classification,
      sdtype: handling === 'FAKE' ? 'pii' : undefined,
      // A steward's DISMISS in the catalog says the column is no personal data: it is modelled like any other
      // (unless the job asks to fake it), not faked because its name or values look like PII.
      forceModel: handling === 'MODEL' || (handling === undefined && column?.piiReview === 'DISMISS'),
      unread: unread.includes(name),
    };
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
        piiColumnsNotRead: result.privacy.piiColumnsNotRead,
        droppedColumns: dropped,
        trainingRows: result.trainingRows,
        holdoutRows: result.holdoutRows,
        dp: result.model.dp,
      }),
    },
  };
}

async function fromSchema(
  deps: JobRunnerDeps,
  job: SyntheticDataJob,
  actAs: (permissions: readonly string[]) => Promise<string>,
): Promise<Output> {
  let type: string;
  let schema: unknown;
  let name: string;
  if (job.schemaVersionId) {
    const version = await deps.schemas.getSchemaVersion(job.schemaVersionId, await actAs(JOB_ACTS_WITH.schema));
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
        piiColumnsNotRead: [],
        droppedColumns: [],
        trainingRows: 0,
        holdoutRows: 0,
        dp: null,
      }),
    },
  };
}
