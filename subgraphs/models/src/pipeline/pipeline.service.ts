import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { ArtifactStore, Logger } from '../../../../lib/src/index';
import type { JobContext, JobQueue } from '../../../../lib/src/jobs';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelAliasService } from '../alias/model-alias.service';
import { JobState, StepState } from '../common/enums';
import type { CatalogClient } from '../dataset/catalog.client';
import type { Algorithm } from '../engine/training/training-spec';
import type { ModelRepository } from '../model/model.repository';
import type { StudyService } from '../study/study.service';
import { defaultDirection } from '../study/study-space.mapper';
import { prepareTrainingData } from '../training/training-data';
import type { TrainingJobService } from '../training/training-job.service';
import type { StartPipelineRunInput } from './pipeline.input';
import type { StepRecord } from './pipeline-run.entity';
import { PipelineRun } from './pipeline-run.entity';
import type { PipelineRunRepository } from './pipeline-run.repository';
import type { StudyRepository } from '../study/study.repository';
import type { QualityRule } from './quality-rule.evaluator';
import { evaluateQualityRules, QUALITY_RULE_TYPES } from './quality-rule.evaluator';
import { evaluateVersion } from './version-evaluator';
import { checkJobDatasetAccess } from '../dataset/job-dataset-access';

/** The job kind of pipeline runs on the service's job queue (lib/src/jobs). */
export const PIPELINE_JOB_KIND = 'pipeline';

/** Runs writes in a transaction that holds the run's job claim (`JobContext.fenced`). */
type Fence = <T>(work: (em: EntityManager) => Promise<T>) => Promise<T>;

const EVAL_METRICS = ['accuracy', 'f1Macro', 'rocAuc', 'logLoss', 'rmse', 'mae', 'r2'];

/** A step failure: the run stops and records the message (and the outputs that explain it). */
class StepFailure extends Error {
  constructor(
    message: string,
    readonly outputs: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface PipelineDeps {
  orm: MikroORM;
  runs: PipelineRunRepository;
  models: ModelRepository;
  studyRepository: StudyRepository;
  catalog: CatalogClient;
  training: TrainingJobService;
  studies: StudyService;
  aliases: ModelAliasService;
  /** The service's job queue: the pipeline handler is registered on it by the composition root. */
  queue: JobQueue;
  store: ArtifactStore;
  logger: Logger;
  clock: Clock;
}

/**
 * The columns a run's steps read of its dataset: the training's (or study's) features and target, which
 * must be there, and the columns its inline rules name, read when the dataset has them (a rule that checks
 * a column exists fails on its own). The catalog's own rules run in catalog.
 */
function pipelineColumns(spec: StartPipelineRunInput): { columns: string[]; ifPresent: string[] } {
  const step = (spec.training ?? spec.study)!;
  return {
    columns: [...step.featureColumns, step.targetColumn],
    ifPresent: spec.qualityRules.flatMap((r) => (r.column ? [r.column] : [])),
  };
}

/**
 * Pipelines: a tracked sequence of steps run as one job on the service's job queue. Its checkpoint
 * is its step records: an attempt after a takeover or a hand-back skips the steps that succeeded and
 * waits for the training job or study a step already started (which runs as its own job, on any replica).
 */
export class PipelineService {
  constructor(private readonly deps: PipelineDeps) {}

  /**
   * The viewer starts a run. Its steps read the dataset as the viewer (delegated tokens; only the columns
   * the run uses, see `pipelineColumns`), so what those reads need is checked first with the viewer's own
   * token (`authorization`): nothing is created for a run bound to fail.
   */
  async start(scope: RequestScope, input: StartPipelineRunInput, authorization?: string): Promise<PipelineRun> {
    const { em, viewer } = scope;
    const fields: { field: string; message: string }[] = [];
    if (!!input.training === !!input.study)
      fields.push({ field: 'training', message: 'give exactly one of training or study' });
    const step = input.training ?? input.study;
    if (step && step.datasetId !== input.datasetId)
      fields.push({
        field: input.training ? 'training.datasetId' : 'study.datasetId',
        message: 'must be the pipeline dataset',
      });
    if (!EVAL_METRICS.includes(input.evaluation.metric))
      fields.push({ field: 'evaluation.metric', message: `one of ${EVAL_METRICS.join(', ')}` });
    input.qualityRules.forEach((r, i) => {
      if (!QUALITY_RULE_TYPES.includes(r.type))
        fields.push({ field: `qualityRules[${i}].type`, message: `one of ${QUALITY_RULE_TYPES.join(', ')}` });
    });
    if (fields.length > 0) throw new BadUserInputError('Invalid pipeline', fields);
    if (input.promote && !viewer.permissions.includes('models:promote'))
      throw new ForbiddenError('Missing permission models:promote (the pipeline would move an alias)');
    const prefix = input.training ? 'training' : 'study';
    await checkJobDatasetAccess(this.deps.catalog, viewer, authorization, {
      datasetId: input.datasetId,
      ...pipelineColumns(input),
      columnFields: [...step!.featureColumns.map((_, i) => `${prefix}.featureColumns[${i}]`), `${prefix}.targetColumn`],
    });
    const names = [
      'CHECK_QUALITY',
      input.training ? 'TRAIN' : 'STUDY',
      'EVALUATE',
      ...(input.promote ? ['PROMOTE'] : []),
    ];
    const run = em.create(PipelineRun, {
      organizationId: viewer.organizationId,
      createdById: viewer.id,
      createdByKind: viewer.kind,
      name: input.name,
      datasetId: input.datasetId,
      spec: JSON.parse(JSON.stringify(input)),
      stepRecords: names.map((name) => ({
        name,
        state: StepState.PENDING,
        startedAt: null,
        finishedAt: null,
        outputs: {},
        error: null,
      })),
    });
    await em.flush();
    await this.enqueue(run.id);
    return run;
  }

  /** Puts a run on the queue (after its row is flushed). @returns false when it already was (idempotent) */
  enqueue(runId: string): Promise<boolean> {
    return this.deps.queue.enqueue(PIPELINE_JOB_KIND, runId, { runId });
  }

  /** The job-queue handler: runs the pipeline for this claim; throws when aborted so the queue hands it back. */
  async handle(ctx: JobContext<{ runId: string }>): Promise<void> {
    await this.execute(ctx.payload?.runId ?? ctx.jobId, ctx.signal, (work) => ctx.fenced(work));
    ctx.signal.throwIfAborted();
  }

  async get(scope: RequestScope, id: string): Promise<PipelineRun> {
    const run = await this.deps.runs.findInOrganization(scope.em, scope.viewer.organizationId, id);
    if (!run) throw new NotFoundError('PipelineRun', id);
    return run;
  }

  /** The organization's runs, newest first (at most `limit`, clamped to [1, 500]). */
  list(scope: RequestScope, limit: number): Promise<PipelineRun[]> {
    return this.deps.runs.list(scope.em, scope.viewer.organizationId, Math.min(Math.max(1, limit), 500));
  }

  /**
   * Enqueues runs left QUEUED or RUNNING from before the job queue (rows without a claim); claimed
   * ones are taken over by the queue's sweep. @returns how many were enqueued
   */
  async enqueueUnclaimed(): Promise<number> {
    let added = 0;
    for (const r of await this.deps.runs.unfinished(this.deps.orm.em.fork())) if (await this.enqueue(r.id)) added += 1;
    return added;
  }

  private async execute(runId: string, signal: AbortSignal, fence: Fence): Promise<void> {
    const em = this.deps.orm.em.fork();
    const run = await this.deps.runs.getById(em, runId);
    if ([JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED].includes(run.state)) return;
    /** The run's final state, written under the claim so it is written once. */
    const finish = (state: JobState, error: string | null) =>
      fence(async (fem) => {
        const row = await this.deps.runs.getById(fem, runId);
        row.stepRecords = run.stepRecords.map((s) => ({ ...s }));
        row.state = state;
        row.error = error;
        row.finishedAt = this.deps.clock();
      });
    // The spec column holds the validated StartPipelineRunInput as submitted (JSON round trip).
    const spec = run.spec as unknown as StartPipelineRunInput;
    run.state = JobState.RUNNING;
    await em.flush();
    const save = async (step: StepRecord, patch: Partial<StepRecord>) => {
      Object.assign(step, patch);
      run.stepRecords = run.stepRecords.map((s) => (s.name === step.name ? { ...step } : s));
      await em.flush();
    };
    const owner = { id: run.createdById, organizationId: run.organizationId };
    const context: { records?: Record<string, unknown>[]; candidateId?: string } = {};
    for (const step of run.stepRecords) {
      if (step.state === StepState.SUCCEEDED) {
        if (typeof step.outputs.modelVersionId === 'string') context.candidateId = step.outputs.modelVersionId;
        continue;
      }
      if (signal.aborted) return;
      await save(step, {
        state: StepState.RUNNING,
        startedAt: step.startedAt ?? this.deps.clock().toISOString(),
        error: null,
      });
      try {
        const outputs = await this.runStep(em, run, spec, step, owner, context, signal);
        if (signal.aborted) return;
        await save(step, { state: StepState.SUCCEEDED, finishedAt: this.deps.clock().toISOString(), outputs });
        if (outputs.stop === true) {
          for (const rest of run.stepRecords.filter((s) => s.state === StepState.PENDING))
            await save(rest, { state: StepState.SKIPPED });
          break;
        }
      } catch (error) {
        if (signal.aborted) return;
        const message = error instanceof Error ? error.message : String(error);
        await save(step, {
          state: StepState.FAILED,
          finishedAt: this.deps.clock().toISOString(),
          error: message,
          ...(error instanceof StepFailure ? { outputs: error.outputs } : {}),
        });
        for (const rest of run.stepRecords.filter((s) => s.state === StepState.PENDING))
          await save(rest, { state: StepState.SKIPPED });
        await finish(JobState.FAILED, `${step.name}: ${message}`);
        return;
      }
    }
    await finish(JobState.SUCCEEDED, null);
  }

  private async runStep(
    em: EntityManager,
    run: PipelineRun,
    spec: StartPipelineRunInput,
    step: StepRecord,
    owner: { id: string; organizationId: string },
    context: { records?: Record<string, unknown>[]; candidateId?: string },
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const records = async () =>
      (context.records ??= (
        await this.deps.catalog.readDataset(run.organizationId, run.datasetId, signal, {
          onBehalfOf: run.createdById,
          ...pipelineColumns(spec),
        })
      ).records);
    if (step.name === 'CHECK_QUALITY') return this.checkQuality(run, spec, records);
    if (step.name === 'TRAIN') {
      const jobId =
        typeof step.outputs.trainingJobId === 'string'
          ? step.outputs.trainingJobId
          : (await this.deps.training.startFor(em, owner, spec.training!, run.id)).id;
      step.outputs = { trainingJobId: jobId };
      run.stepRecords = run.stepRecords.map((s) => (s.name === step.name ? { ...step } : s));
      await em.flush();
      const job = await this.deps.training.waitFor(jobId, signal);
      if (job.state !== JobState.SUCCEEDED)
        throw new StepFailure(`training job ${job.state}${job.error ? `: ${job.error}` : ''}`);
      context.candidateId = job.modelVersionId as string;
      return { trainingJobId: jobId, modelVersionId: job.modelVersionId };
    }
    if (step.name === 'STUDY') {
      const studyId =
        typeof step.outputs.studyId === 'string'
          ? step.outputs.studyId
          : (await this.deps.studies.startFor(em, owner, spec.study!, run.id)).id;
      step.outputs = { studyId };
      run.stepRecords = run.stepRecords.map((s) => (s.name === step.name ? { ...step } : s));
      await em.flush();
      const study = await this.deps.studies.waitFor(studyId, signal);
      if (study.state !== JobState.SUCCEEDED)
        throw new StepFailure(`study ${study.state}${study.error ? `: ${study.error}` : ''}`);
      context.candidateId = study.modelVersionId as string;
      return { studyId, modelVersionId: study.modelVersionId };
    }
    const candidate = await this.deps.models.getVersion(em, context.candidateId as string);
    const { alias, metric, minImprovement } = spec.evaluation;
    if (step.name === 'EVALUATE') {
      const p = candidate.parameters as {
        featureColumns: string[];
        targetColumn: string;
        algorithm: Algorithm;
        validationFraction: number;
        splitSeed: number;
      };
      const prepared = prepareTrainingData(
        await records(),
        p.featureColumns,
        p.targetColumn,
        p.algorithm,
        p.validationFraction,
        p.splitSeed,
      );
      const candidateMetrics = await evaluateVersion(
        candidate,
        await this.deps.store.localPath(candidate.sha256),
        prepared,
      );
      const model = await this.deps.models.findById(em, candidate.modelId);
      const incumbentId = await this.deps.aliases.versionIdOf(em, model.id, alias);
      const incumbent = incumbentId ? await this.deps.models.findVersion(em, incumbentId) : null;
      const incumbentMetrics = incumbent
        ? await evaluateVersion(incumbent, await this.deps.store.localPath(incumbent.sha256), prepared)
        : null;
      const sign = defaultDirection(metric) === 'MINIMIZE' ? -1 : 1;
      const better =
        incumbentMetrics === null || sign * (candidateMetrics[metric]! - incumbentMetrics[metric]!) > minImprovement;
      return {
        candidateVersionId: candidate.id,
        candidateVersion: candidate.version,
        candidate: candidateMetrics,
        incumbentVersionId: incumbent?.id ?? null,
        incumbentVersion: incumbent?.version ?? null,
        incumbent: incumbentMetrics,
        metric,
        better,
        stop: !better,
      };
    }
    const evaluation = run.stepRecords.find((s) => s.name === 'EVALUATE')?.outputs as {
      candidate: Record<string, number>;
      incumbent: Record<string, number> | null;
    };
    const moved = await this.deps.aliases.setAs(
      em,
      { id: run.createdById, kind: run.createdByKind, organizationId: run.organizationId },
      {
        modelId: candidate.modelId,
        alias,
        versionId: candidate.id,
        pipelineRunId: run.id,
        reason: `pipeline ${run.name}: ${metric} ${evaluation.candidate[metric]} vs ${evaluation.incumbent ? evaluation.incumbent[metric] : 'no incumbent'}`,
      },
    );
    return { alias: moved.name, version: moved.version, modelVersionId: candidate.id };
  }

  /**
   * Runs the dataset's own rules in catalog, then the run's inline rules if any; fails with every
   * failing rule when either does not pass.
   */
  private async checkQuality(
    run: PipelineRun,
    spec: StartPipelineRunInput,
    records: () => Promise<Record<string, unknown>[]>,
  ): Promise<Record<string, unknown>> {
    const check = await this.deps.catalog.runQualityChecks(run.organizationId, run.datasetId, run.createdById);
    const inline =
      spec.qualityRules.length > 0 ? evaluateQualityRules(await records(), spec.qualityRules as QualityRule[]) : [];
    const failedRules = [
      ...(check?.results ?? [])
        .filter((r) => r.status !== 'SUCCESS')
        .map((r) => ({ ruleId: r.ruleId, rule: r.type, column: r.column, status: r.status, detail: r.message })),
      ...inline
        .filter((r) => !r.passed)
        .map((r) => ({ ruleId: null, rule: r.rule, column: r.column ?? null, status: 'FAILED', detail: r.detail })),
    ];
    const outputs = {
      qualityCheckId: check?.id ?? null,
      datasetVersion: check?.version ?? null,
      score: check?.score ?? null,
      results: check?.results ?? [],
      ...(inline.length > 0 ? { inlineResults: inline } : {}),
      failedRules,
    };
    if (failedRules.length > 0)
      throw new StepFailure(
        `quality rules failed: ${failedRules.map((f) => `${f.rule}${f.column ? `(${f.column})` : ''}: ${f.detail}`).join('; ')}`,
        outputs,
      );
    return outputs;
  }
}
