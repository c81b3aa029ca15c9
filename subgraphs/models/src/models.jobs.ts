import type { JobQueue } from '../../../lib/src/jobs';
import type { Config } from './config';
import type { ModelsServices } from './models.services';
import { PIPELINE_JOB_KIND } from './pipeline/pipeline.service';
import { STUDY_JOB_KIND } from './study/study.runner';
import type { TrainingJobPayload } from './training/training-job.runner';
import { TRAINING_JOB_KIND } from './training/training-job.runner';

/**
 * Registers the models service's job handlers on its queue (only in a process that consumes jobs,
 * `BootKit.consume`): training jobs (at most `trainingConcurrency` at once, each in a worker thread; with
 * the Kubernetes executor, at most `trainingKubernetes.maxJobs` submitted Jobs watched at once),
 * study coordinators and pipeline runs (light: they wait on trials in the pool, or on other jobs).
 */
export function registerModelsJobs(
  queue: JobQueue,
  services: ModelsServices,
  settings: Pick<Config, 'trainingConcurrency' | 'trainingExecutor' | 'trainingKubernetes'>,
): void {
  queue.register<TrainingJobPayload>(TRAINING_JOB_KIND, (ctx) => services.training.handle(ctx), {
    concurrency:
      settings.trainingExecutor === 'kubernetes' ? settings.trainingKubernetes.maxJobs : settings.trainingConcurrency,
  });
  queue.register<{ studyId: string }>(STUDY_JOB_KIND, (ctx) => services.studies.handle(ctx), { concurrency: 4 });
  queue.register<{ runId: string }>(PIPELINE_JOB_KIND, (ctx) => services.pipelines.handle(ctx), {
    concurrency: 4,
  });
}
