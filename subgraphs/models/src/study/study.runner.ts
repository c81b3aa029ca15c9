import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { lineageNames } from '../../../../lib/contracts/index';
import type { Logger, PubSub, WorkerPool } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import {
  JobState,
  ModelVersionSource,
  OptimizationDirection,
  PrunerKind,
  SamplerKind,
  TrialState,
} from '../common/enums';
import { runInPool } from '../common/pool-task';
import type { CatalogClient } from '../dataset/catalog.client';
import { GridSampler } from '../engine/hpo/grid.sampler';
import { MedianPruner } from '../engine/hpo/median.pruner';
import { RandomSampler } from '../engine/hpo/random.sampler';
import type { Sampler } from '../engine/hpo/sampler';
import { StudyEngine } from '../engine/hpo/study.engine';
import { TpeSampler } from '../engine/hpo/tpe.sampler';
import type { TrialRecord } from '../engine/hpo/trial';
import type { EpochProgress } from '../engine/training/training-hooks';
import type { Algorithm } from '../engine/training/training-spec';
import { resolveTrainingSpec } from '../engine/training/training-spec';
import type { LineageEmitter } from '../lineage/lineage.emitter';
import type { ModelRegistry } from '../model/model-registry.service';
import type { PreparedData } from '../training/training-data';
import { prepareTrainingData } from '../training/training-data';
import type { ExportedTraining } from '../training/train-and-export';
import { versionParameters } from '../training/train-and-export';
import type { TrainFunction } from '../training/worker-training';
import { toTrainingSpec } from '../training/training-spec.mapper';
import { Study, StudyTrial } from './study.entity';
import type { StudyRepository } from './study.repository';
import type { StudyEvent } from './study.event';
import { STUDY_TOPIC } from './study.event';
import { trialHyperparameters } from './study-space.mapper';

/** The job kind of studies on the service's job queue (lib/src/jobs). */
export const STUDY_JOB_KIND = 'study';

/** Runs writes in a transaction that holds the study's job claim (`JobContext.fenced`). */
export type Fence = <T>(work: (em: EntityManager) => Promise<T>) => Promise<T>;

/** What a study run needs; built once by the composition root. */
export interface StudyRunnerDeps {
  orm: MikroORM;
  studies: StudyRepository;
  pool: WorkerPool;
  poolConcurrency: number;
  registry: ModelRegistry;
  catalog: CatalogClient;
  lineage: LineageEmitter;
  pubSub: PubSub;
  logger: Logger;
  train: TrainFunction;
  clock: Clock;
}

function objectiveOf(metric: string, p: EpochProgress): number {
  return metric === 'validationLoss' ? p.validationLoss : (p.metrics[metric] ?? NaN);
}

function samplerOf(study: Study): Sampler {
  if (study.sampler === SamplerKind.GRID) return new GridSampler(study.gridPoints);
  if (study.sampler === SamplerKind.RANDOM) return new RandomSampler(study.samplerSeed);
  return new TpeSampler({ seed: study.samplerSeed });
}

/**
 * Runs studies to their end, one call per study: restores finished trials (after a restart), runs the remaining ones in
 * the worker pool with at most `parallelism` at once, persists every report, then registers the
 * best trial's model. Stops leaving the study RUNNING when `signal` aborts without a cancel request.
 * Its checkpoint is its finished trials (rows): an attempt after a takeover or a hand-back keeps them
 * and runs the rest. The final state and the best model's registration go through `fence` (the job
 * claim), so a study finishes once with one model version.
 */
export class StudyRunner {
  constructor(private readonly deps: StudyRunnerDeps) {}

  /** Runs the study to its end, or until `signal` aborts (see the class). */
  async run(studyId: string, signal: AbortSignal, fence: Fence): Promise<void> {
    const deps = this.deps;
    const em = deps.orm.em.fork();
    const study = await deps.studies.findById(em, studyId);
    if (!study || [JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED].includes(study.state)) return;
    const publish = (event: Partial<StudyEvent>) =>
      deps.pubSub.publish(STUDY_TOPIC, study.id, {
        studyId: study.id,
        state: study.state,
        bestTrialNumber: study.bestTrialNumber ?? null,
        bestValue: study.bestValue ?? null,
        ...event,
      });
    const lineageRun = {
      organizationId: study.organizationId,
      runId: study.id,
      jobName: lineageNames.studyJob(study.modelName),
      datasetId: study.datasetId,
    };
    const finish = async (state: JobState, error: string | null, more?: (em: EntityManager) => Promise<void>) => {
      await fence(async (fem) => {
        await more?.(fem);
        const row = await fem.findOneOrFail(Study, { id: study.id });
        row.state = state;
        row.error = error;
        row.finishedAt = deps.clock();
        row.bestTrialNumber = study.bestTrialNumber ?? null;
        row.bestValue = study.bestValue ?? null;
        row.modelVersionId = study.modelVersionId ?? null;
      });
      study.state = state;
      study.error = error;
      study.finishedAt = deps.clock();
      publish({ modelVersionId: study.modelVersionId ?? null, error });
    };
    if (study.cancelRequested) return finish(JobState.CANCELLED, null);
    study.state = JobState.RUNNING;
    study.startedAt ??= deps.clock();
    await em.flush();
    publish({});
    const lineage = await deps.lineage.start(lineageRun);
    const direction = study.direction === OptimizationDirection.MINIMIZE ? 'minimize' : 'maximize';
    const engine = new StudyEngine(
      study.searchSpace,
      direction,
      samplerOf(study),
      study.pruner === PrunerKind.MEDIAN
        ? new MedianPruner({ nStartupTrials: study.prunerStartupTrials, nWarmupSteps: study.prunerWarmupSteps })
        : undefined,
    );
    await deps.studies.deleteRunningTrials(em, study.id);
    const previous = await deps.studies.trialsOf(em, study.id);
    engine.restore(
      previous.map((t) => ({
        number: t.number,
        state: t.state as TrialRecord['state'],
        params: t.params as TrialRecord['params'],
        ...(t.value != null ? { value: t.value } : {}),
        intermediateValues: new Map(t.intermediateValues),
      })),
    );
    const rows = new Map(previous.map((t) => [t.number, t]));
    let best: { number: number; exported: ExportedTraining } | undefined;
    const base = study.baseHyperparameters;
    const specOf = (params: TrialRecord['params']) =>
      resolveTrainingSpec(toTrainingSpec(study.algorithm as Algorithm, trialHyperparameters(base, params)));
    const splitSeed = typeof base.seed === 'number' ? base.seed : 0;
    let prepared: PreparedData | undefined;
    let datasetSha: string | null = null;
    try {
      const content = await deps.catalog.readDataset(study.organizationId, study.datasetId, signal, {
        columns: [...study.featureColumns, study.targetColumn],
        onBehalfOf: study.createdById,
      });
      datasetSha = content.sha256;
      prepared = prepareTrainingData(
        content.records,
        study.featureColumns,
        study.targetColumn,
        study.algorithm as Algorithm,
        study.validationFraction,
        splitSeed,
      );
      const data = prepared;
      const isBetter = (value: number) =>
        engine.best() === undefined ||
        (direction === 'minimize'
          ? value < (engine.best()?.value as number)
          : value > (engine.best()?.value as number));
      await engine.optimize({
        nTrials: Math.max(0, study.nTrials - previous.length),
        concurrency: Math.min(study.parallelism, deps.poolConcurrency),
        signal,
        onTrialStart: async (trial) => {
          rows.set(
            trial.number,
            em.create(StudyTrial, {
              studyId: study.id,
              number: trial.number,
              state: TrialState.RUNNING,
              params: trial.params,
            }),
          );
          await em.flush();
          publish({ trialNumber: trial.number, trialState: TrialState.RUNNING });
        },
        onTrialReport: (trial, step, value) =>
          publish({ trialNumber: trial.number, trialState: TrialState.RUNNING, step, value }),
        objective: async (trial) => {
          const exported = await runInPool(
            deps.pool,
            `study:${study.id}:${trial.number}`,
            (taskSignal) =>
              deps.train(
                data,
                specOf(trial.params),
                { signal: taskSignal, onEpoch: (p) => trial.report(p.epoch, objectiveOf(study.objectiveMetric, p)) },
                `study ${study.id} trial ${trial.number}`,
              ),
            trial.signal,
          );
          const value = objectiveOf(
            study.objectiveMetric,
            exported.result.history[exported.result.history.length - 1]!,
          );
          if (isBetter(value)) best = { number: trial.number, exported };
          return value;
        },
        onTrialFinish: async (trial) => {
          if (signal.aborted && !(await deps.studies.cancelRequested(em.fork(), study.id))) return;
          const row = rows.get(trial.number) as StudyTrial;
          row.state = trial.state as TrialState;
          row.value = trial.value ?? null;
          row.intermediateValues = [...trial.intermediateValues];
          row.error = trial.error ?? null;
          row.finishedAt = deps.clock();
          const top = engine.best();
          study.bestTrialNumber = top?.number ?? null;
          study.bestValue = top?.value ?? null;
          await em.flush();
          publish({ trialNumber: trial.number, trialState: row.state, value: row.value });
        },
      });
    } catch (error) {
      if (!signal.aborted) {
        const message = error instanceof Error ? error.message : String(error);
        await lineage.fail(message);
        await finish(JobState.FAILED, message);
        return;
      }
    }
    if (await deps.studies.cancelRequested(em.fork(), study.id)) {
      await lineage.abort();
      await finish(JobState.CANCELLED, null);
      return;
    }
    if (signal.aborted) return;
    const top = engine.best();
    if (!top || !prepared) {
      await lineage.fail('no trial completed');
      await finish(JobState.FAILED, 'no trial completed');
      return;
    }
    try {
      // A best trial finished before a restart has no model in memory: seeded training reproduces it.
      const data = prepared;
      const exported =
        best && best.number === top.number
          ? best.exported
          : await runInPool(
              deps.pool,
              `study:${study.id}:best`,
              (s) => deps.train(data, specOf(top.params), { signal: s }, `study ${study.id} trial ${top.number}`),
              signal,
            );
      const spec = specOf(top.params);
      const trained = prepared;
      let registered: { id: string; modelName: string; version: number } | undefined;
      await finish(JobState.SUCCEEDED, null, async (fem) => {
        const model = await deps.registry.ensureModel(fem, study.organizationId, study.createdById, study.modelName);
        const version = await deps.registry.registerBytes(fem, model, study.createdById, exported.onnx, {
          source: ModelVersionSource.TRAINING_JOB,
          studyId: study.id,
          datasetId: study.datasetId,
          datasetVersion: datasetSha,
          metrics: exported.result.metrics,
          parameters: {
            ...versionParameters(
              spec,
              trained,
              study.featureColumns,
              study.targetColumn,
              study.validationFraction,
              splitSeed,
            ),
            studyId: study.id,
            trialNumber: top.number,
            trialParams: top.params,
            objectiveMetric: study.objectiveMetric,
            objectiveValue: top.value,
          },
          tags: ['study-best'],
        });
        study.modelVersionId = version.id;
        registered = { id: version.id, modelName: version.modelName, version: version.version };
      });
      await lineage.complete(registered!);
    } catch (error) {
      if (signal.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      await lineage.fail(message);
      await finish(JobState.FAILED, message);
    }
  }
}
