import { INFERENCE_POD_ENV } from '../../../../lib/contracts/inference-pod';
import type { BatchV1Api, CoreV1Api, V1Container, V1Job, V1Pod } from '@kubernetes/client-node' with {
  'resolution-mode': 'import',
};
import type { MikroORM } from '@mikro-orm/core';
import type { Logger, PubSub } from '../../../../lib/src/index';
import type { JobContext, JobQueue } from '../../../../lib/src/jobs';
import { JobAbort } from '../../../../lib/src/jobs';
import type { Clock } from '../../../../lib/src/kit/clock';
import { createKubeConfig } from '../../../../lib/src/kubernetes-config';
import { JobState } from '../common/enums';
import type { TrainingKubernetesSettings } from '../config';
import type { TrainingJob } from './training-job.entity';
import { isTerminal, TRAINING_JOB_TOPIC } from './training-job.event';
import type { TrainingJobRepository } from './training-job.repository';
import type { TrainingJobPayload } from './training-job.runner';

/** The trainer container of the template (k8s/base/training/job-template.yaml). */
const TRAINER = 'trainer';
/** Labels the API server adds to a stored Job's pod template; a copy must not carry the template's. */
const SERVER_LABELS = [
  'controller-uid',
  'job-name',
  'batch.kubernetes.io/controller-uid',
  'batch.kubernetes.io/job-name',
];
/** How long a cancelled job's pod gets to write CANCELLED itself before the executor does and deletes it. */
const CANCEL_GRACE_MS = 15_000;

/** The Kubernetes Job of a training job. */
export function trainingJobName(jobId: string): string {
  return `training-${jobId}`.toLowerCase();
}

/**
 * The pod's own claim of a training job (the service's `training` claim is the executor's): one kind
 * per job, so a pod only ever takes the job it was created for, with the lease, takeover and
 * checkpoints of the queue (a pod the Job restarts resumes from the last epoch).
 */
export function trainingPodClaim(jobId: string): { kind: string; id: string } {
  return { kind: `training-pod:${jobId}`, id: `${jobId}:pod` };
}

/** The calls the executor makes (BatchV1Api and CoreV1Api of `@kubernetes/client-node`). */
export interface TrainingClusterApi {
  batch: BatchV1Api;
  core: CoreV1Api;
}

/** Connects to the cluster the settings name (a kubeconfig file, or the pod's service account). */
export async function connectTrainingCluster(settings: TrainingKubernetesSettings): Promise<TrainingClusterApi> {
  if (!settings.access) throw new Error('no Kubernetes access configured for the training executor');
  const k8s = await import('@kubernetes/client-node');
  const config = await createKubeConfig(settings.access);
  return { batch: config.makeApiClient(k8s.BatchV1Api), core: config.makeApiClient(k8s.CoreV1Api) };
}

/**
 * The Job for one training job, copied from the stored template: its pod template without the labels
 * the API server added, the job id in `AIC_TRAINING_JOB_ID`, not suspended; the GPU node pool and
 * `nvidia.com/gpu` limit when the job asks for GPUs, else the CPU pool, no GPU and the CPU provider.
 */
export function buildTrainingJob(
  template: V1Job,
  job: Pick<TrainingJob, 'id' | 'requestedCpu' | 'requestedGpu' | 'requestedMemoryMb'>,
  settings: Pick<TrainingKubernetesSettings, 'namespace' | 'cpuNodePool'>,
): V1Job {
  const spec = structuredClone(template.spec);
  if (!spec?.template.spec) throw new Error(`the template Job ${template.metadata?.name} has no pod template`);
  const pod = spec.template.spec;
  const trainer = pod.containers.find((c) => c.name === TRAINER);
  if (!trainer) throw new Error(`the template Job ${template.metadata?.name} has no ${TRAINER} container`);
  const labels = { ...spec.template.metadata?.labels };
  for (const key of SERVER_LABELS) delete labels[key];
  labels['aic.io/training-job'] = job.id;
  spec.template.metadata = { ...spec.template.metadata, labels };
  delete spec.selector;
  delete spec.manualSelector;
  spec.suspend = false;

  const gpus = Math.max(0, Math.floor(job.requestedGpu));
  const env = (trainer.env ?? []).filter(
    (e) => e.name !== 'AIC_TRAINING_JOB_ID' && e.name !== INFERENCE_POD_ENV.executionProviders,
  );
  env.push({ name: 'AIC_TRAINING_JOB_ID', value: job.id });
  env.push({ name: INFERENCE_POD_ENV.executionProviders, value: gpus > 0 ? 'cuda,cpu' : 'cpu' });
  trainer.env = env;
  setResources(trainer, job, gpus);
  if (gpus === 0) {
    pod.nodeSelector = { ...pod.nodeSelector, 'aic.io/node-pool': settings.cpuNodePool };
    pod.tolerations = (pod.tolerations ?? []).filter((t) => t.key !== 'nvidia.com/gpu');
    if (!pod.tolerations.length) delete pod.tolerations;
  }
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: trainingJobName(job.id),
      namespace: settings.namespace,
      labels: {
        ...Object.fromEntries(Object.entries(template.metadata?.labels ?? {}).filter(([k]) => k !== 'aic.io/template')),
        'aic.io/training-job': job.id,
      },
    },
    spec,
  };
}

function setResources(
  trainer: V1Container,
  job: Pick<TrainingJob, 'requestedCpu' | 'requestedMemoryMb'>,
  gpus: number,
): void {
  const requests: Record<string, string> = { ...trainer.resources?.requests };
  const limits: Record<string, string> = { ...trainer.resources?.limits };
  if (job.requestedCpu > 0) {
    requests.cpu = String(job.requestedCpu);
    limits.cpu = String(job.requestedCpu);
  }
  if (job.requestedMemoryMb) {
    requests.memory = `${job.requestedMemoryMb}Mi`;
    limits.memory = `${job.requestedMemoryMb}Mi`;
  }
  if (gpus > 0) limits['nvidia.com/gpu'] = String(gpus);
  else delete limits['nvidia.com/gpu'];
  delete requests['nvidia.com/gpu'];
  trainer.resources = { requests, limits };
}

/** Consecutive failed reads of a Job's status before the watch gives up (and the claim is taken over). */
const MAX_UNREADABLE = 10;

/** An API error in words: the Status message the API server sent, else the error's own. */
function describeApiError(error: unknown): string {
  const body = (error as { body?: unknown })?.body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: unknown; code?: unknown };
      if (typeof status.message === 'string') return `${status.code ?? statusOf(error)} ${status.message}`;
    } catch {
      // not a Status object
    }
  }
  return error instanceof Error ? error.message : String(error);
}

/** The HTTP status of a failed `@kubernetes/client-node` call (its ApiException's `code`). */
function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Why the Job failed, in words: its Failed condition and what its last pod's trainer reported. */
export function describeJobFailure(job: V1Job, pods: V1Pod[]): string {
  const condition = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  const parts = [
    `Kubernetes Job ${job.metadata?.name} failed` +
      (condition ? ` (${[condition.reason, condition.message].filter(Boolean).join(': ')})` : ''),
  ];
  const last = [...pods].sort(
    (a, b) =>
      new Date(b.metadata?.creationTimestamp ?? 0).getTime() - new Date(a.metadata?.creationTimestamp ?? 0).getTime(),
  )[0];
  if (last) {
    const status = last.status?.containerStatuses?.find((c) => c.name === TRAINER);
    const terminated = status?.state?.terminated ?? status?.lastState?.terminated;
    const waiting = status?.state?.waiting;
    const what = terminated
      ? [terminated.reason, `exit code ${terminated.exitCode}`, terminated.message].filter(Boolean).join(', ')
      : waiting
        ? [waiting.reason, waiting.message].filter(Boolean).join(', ')
        : [last.status?.reason, last.status?.message].filter(Boolean).join(', ');
    if (what) parts.push(`pod ${last.metadata?.name}: ${what}`);
  }
  return parts.join('; ');
}

/** What the executor is built from (once, by the composition root). */
export interface KubernetesTrainingExecutorDeps {
  orm: MikroORM;
  jobs: TrainingJobRepository;
  queue: JobQueue;
  pubSub: PubSub;
  logger: Logger;
  clock: Clock;
  /** Connects on first use (the client is an ES module; tests point it at their own server). */
  connect: () => Promise<TrainingClusterApi>;
  settings: TrainingKubernetesSettings;
}

/**
 * Runs training jobs as Kubernetes Jobs (`AIC_TRAINING_EXECUTOR=kubernetes`). The service's `training`
 * claim is held by `run` on whichever replica took it: it queues the pod's claim, creates the Job from the
 * template (an existing one is the same submission, after a takeover) and watches it. The pod's worker
 * (training-job.main.ts) trains and writes progress, epochs and the result to the models database and
 * pub/sub like an in-process run, so subscriptions and the API see it from any replica. The executor
 * deletes the Job (propagationPolicy Background) once the job is final, marks the job FAILED with the
 * pod's reason when the Job failed, and on cancel stops the pod through its claim first. SIGTERM of the
 * replica hands the watch back; the Job keeps running and another replica watches it.
 */
export class KubernetesTrainingExecutor {
  private api?: Promise<TrainingClusterApi>;

  constructor(private readonly deps: KubernetesTrainingExecutorDeps) {}

  private client(): Promise<TrainingClusterApi> {
    this.api ??= this.deps.connect().catch((err: unknown) => {
      this.api = undefined;
      throw err;
    });
    return this.api;
  }

  /** The job-queue handler of `training` jobs in this mode (see the class). */
  async run(ctx: JobContext<TrainingJobPayload>): Promise<void> {
    const { deps } = this;
    const jobId = ctx.payload?.jobId ?? ctx.jobId;
    const name = trainingJobName(jobId);
    const job = await deps.jobs.findById(deps.orm.em.fork(), jobId);
    if (!job || isTerminal(job.state)) return this.deleteJob(name);
    if (job.cancelRequested) {
      await this.finish(ctx, jobId, JobState.CANCELLED, null);
      return;
    }
    const pod = trainingPodClaim(jobId);
    let api: TrainingClusterApi;
    try {
      api = await this.client();
      // The row only: the pod polls the claim table, so no BullMQ queue is made per job.
      await deps.queue.store.enqueue(pod.kind, pod.id, { jobId });
      const template = await api.batch.readNamespacedJob({
        name: deps.settings.template,
        namespace: deps.settings.namespace,
      });
      await api.batch.createNamespacedJob({
        namespace: deps.settings.namespace,
        body: buildTrainingJob(template, job, deps.settings),
      });
      deps.logger.info({ jobId, job: name, gpus: job.requestedGpu, attempt: ctx.attempt }, 'training Job submitted');
    } catch (error) {
      if (statusOf(error) === 409)
        deps.logger.info({ jobId, job: name, attempt: ctx.attempt }, 'training Job already submitted: watching it');
      else {
        // Nothing runs the job (no template, no permission, no cluster): it fails now rather than staying queued.
        if (ctx.signal.aborted) return this.stopped(ctx, jobId);
        const reason = `submitting the Kubernetes Job ${name} failed: ${describeApiError(error)}`;
        await this.finish(ctx, jobId, JobState.FAILED, reason);
        throw new Error(reason, { cause: error });
      }
      api = await this.client();
    }
    let unreadable = 0;
    for (;;) {
      if (ctx.signal.aborted) return this.stopped(ctx, jobId);
      let status: V1Job | undefined;
      try {
        status = await api.batch.readNamespacedJobStatus({ name, namespace: deps.settings.namespace });
        unreadable = 0;
      } catch (error) {
        if (statusOf(error) !== 404) {
          // A blip of the API server is waited out; a watch that keeps failing hands the job to another replica.
          if (++unreadable >= MAX_UNREADABLE) throw error;
          deps.logger.warn({ err: error, jobId, job: name }, 'reading the training Job failed: retrying');
          await sleep(deps.settings.pollMs, ctx.signal);
          continue;
        }
      }
      const row = await deps.jobs.findById(deps.orm.em.fork(), jobId);
      if (!row || isTerminal(row.state)) return this.deleteJob(name);
      const failed = status?.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True');
      const complete = status?.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True');
      if (!status || failed || complete) {
        const reason = !status
          ? `Kubernetes Job ${name} was deleted before the training job finished`
          : failed
            ? describeJobFailure(status, await this.podsOf(api, name))
            : `Kubernetes Job ${name} completed without finishing the training job`;
        // The pod may have written the result just before the Job ended: read the row once more.
        const latest = await deps.jobs.findById(deps.orm.em.fork(), jobId);
        if (latest && isTerminal(latest.state)) return this.deleteJob(name);
        await deps.queue.cancel(pod.id).catch(() => undefined);
        await this.finish(ctx, jobId, JobState.FAILED, reason);
        await this.deleteJob(name);
        throw new Error(reason);
      }
      await sleep(deps.settings.pollMs, ctx.signal);
    }
  }

  /**
   * A cancel from any replica: stops the pod through its claim (it ends the job CANCELLED), then deletes
   * the Job once the job is final. The replica watching the Job does the same on its cancel signal.
   */
  async cancel(jobId: string): Promise<void> {
    await this.deps.queue.cancel(trainingPodClaim(jobId).id);
    void this.deleteWhenFinal(jobId, Date.now() + 4 * CANCEL_GRACE_MS).catch((err: unknown) =>
      this.deps.logger.warn({ err, jobId }, 'deleting a cancelled training Job failed'),
    );
  }

  private async stopped(ctx: JobContext<TrainingJobPayload>, jobId: string): Promise<void> {
    const why = (ctx.signal.reason as JobAbort | undefined)?.why;
    if (why !== 'cancel') throw ctx.signal.reason; // shutdown: the Job runs on, another replica watches it
    // Only a pod that holds its claim ends the job itself; otherwise (not started yet) nobody will.
    const pod = await this.deps.queue.cancel(trainingPodClaim(jobId).id);
    const deadline = Date.now() + (pod === 'requested' ? CANCEL_GRACE_MS : 0);
    while (Date.now() < deadline) {
      const row = await this.deps.jobs.findById(this.deps.orm.em.fork(), jobId);
      if (!row || isTerminal(row.state)) break;
      await sleep(Math.min(200, this.deps.settings.pollMs));
    }
    await this.finish(ctx, jobId, JobState.CANCELLED, null);
    await this.deleteJob(trainingJobName(jobId));
    throw new JobAbort('cancel');
  }

  private async deleteWhenFinal(jobId: string, deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      const row = await this.deps.jobs.findById(this.deps.orm.em.fork(), jobId);
      if (!row || isTerminal(row.state)) return this.deleteJob(trainingJobName(jobId));
      await sleep(Math.min(500, this.deps.settings.pollMs));
    }
  }

  /** Ends the job in `state` unless it already is final (fenced by the executor's claim), and tells subscribers. */
  private async finish(
    ctx: JobContext<TrainingJobPayload>,
    jobId: string,
    state: JobState,
    error: string | null,
  ): Promise<void> {
    const { deps } = this;
    const ended = await ctx.fenced(async (em) => {
      const row = await deps.jobs.getById(em, jobId);
      if (isTerminal(row.state)) return undefined;
      Object.assign(row, { state, error, finishedAt: deps.clock() });
      return row;
    });
    if (ended)
      deps.pubSub.publish(TRAINING_JOB_TOPIC, jobId, {
        jobId,
        state: ended.state,
        epoch: null,
        epochs: ended.epochs,
        trainLoss: ended.trainLoss ?? null,
        validationLoss: ended.validationLoss ?? null,
        metrics: ended.metrics,
        modelVersionId: ended.modelVersionId ?? null,
        error: ended.error ?? null,
      });
  }

  private async podsOf(api: TrainingClusterApi, name: string): Promise<V1Pod[]> {
    try {
      const list = await api.core.listNamespacedPod({
        namespace: this.deps.settings.namespace,
        labelSelector: `batch.kubernetes.io/job-name=${name}`,
      });
      return list.items;
    } catch (err) {
      this.deps.logger.warn({ err, job: name }, 'reading the training pods failed');
      return [];
    }
  }

  /** Deletes the Job and (in the background) its pods; a Job already gone is fine. */
  private async deleteJob(name: string): Promise<void> {
    const api = await this.client();
    try {
      await api.batch.deleteNamespacedJob({
        name,
        namespace: this.deps.settings.namespace,
        propagationPolicy: 'Background',
      });
      this.deps.logger.info({ job: name }, 'training Job deleted');
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
