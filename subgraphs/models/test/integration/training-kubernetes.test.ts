import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gql } from '../../../../lib/src/testing/harness';
import { skipWithoutRedis, TEST_REDIS } from '../../../../lib/src/testing/redis';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../../lib/src/testing/test-issuer';
import { loadConfig } from '../../src/config';
import { IRIS_FEATURES, irisRecords } from '../reference/datasets';
import { startCatalogContractServer, toCsv } from './catalog-contract.server';
import type { StoredJob } from './kube-api.server';
import { startKubeApiServer } from './kube-api.server';
import type { ModelsUnderTest } from './models-harness';
import { modelsTestConfig, startModels } from './models-harness';
import { collectSubscription } from './subscription-client';

// AIC_TRAINING_EXECUTOR=kubernetes against the requests @kubernetes/client-node really sends: a local
// server answers them like the API server (no cluster runs here), records them, and plays the Job
// controller. For the successful job it starts the Job's worker (training-job.main.ts) as a process
// with the Job's own env, on the service's database and Redis, as the pod would.
const ORG = 'org-k8s';
const REDIS_URL = TEST_REDIS;
const NS = '/apis/batch/v1/namespaces/aic-ai/jobs';
const START = 'mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id state } }';
const JOB = 'query($id: ID!) { trainingJob(id: $id) { state epoch error modelVersion { version source } } }';

let issuer: TestIssuer;
let catalog: Awaited<ReturnType<typeof startCatalogContractServer>>;
let kube: Awaited<ReturnType<typeof startKubeApiServer>>;
let models: ModelsUnderTest;
let dataDir: string;
let token: string;
let datasetId: string;
/** What the Job controller does when a Job is created, per job id (set by each test). */
const controller = new Map<string, (job: StoredJob) => void>();
/** Jobs created before their test knew the job id (the mutation's answer can come after the claim). */
const early = new Map<string, StoredJob>();
const children: ChildProcess[] = [];

beforeAll(async () => {
  issuer = await startTestIssuer();
  catalog = await startCatalogContractServer(issuer);
  kube = await startKubeApiServer({
    onCreate: (job) => {
      const id = job.metadata.labels['aic.io/training-job'];
      const run = controller.get(id);
      if (run) run(job);
      else early.set(id, job);
    },
  });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-models-k8s-'));
  const config = modelsTestConfig(issuer, {
    dataDir,
    catalogUrl: catalog.url,
    persistent: true,
    kubeconfigPath: kube.kubeconfigPath,
  });
  config.redisUrl = REDIS_URL;
  models = await startModels(config);
  token = await issuer.issue({ sub: 'user-k8s', org: ORG, perms: ['models:read', 'models:train', 'catalog:read'] });
  datasetId = catalog.addDataset(ORG, 'iris', toCsv(irisRecords()));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await models?.service.stop();
  await kube?.close();
  await catalog?.close();
  await issuer?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function startJob(modelName: string, resources: { cpu: number; gpu: number; memoryMb?: number }, epochs = 30) {
  const started = await gql(
    models.service.graphqlUrl,
    START,
    {
      i: {
        modelName,
        datasetId,
        featureColumns: IRIS_FEATURES,
        targetColumn: 'species',
        algorithm: 'MLP_CLASSIFIER',
        hyperparameters: { hiddenLayers: [8], epochs, batchSize: 8, seed: 3 },
        validationFraction: 0.3,
        resources,
      },
    },
    token,
  );
  expect(started.errors).toBeUndefined();
  return started.data.startTrainingJob.id as string;
}

async function until<T>(what: string, read: () => Promise<T> | T, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const readJob = async (id: string) => (await gql(models.service.graphqlUrl, JOB, { id }, token)).data.trainingJob;
const created = (id: string) =>
  kube.requests.find((r) => r.method === 'POST' && r.body?.metadata?.name === `training-${id}`);
const trainer = (body: any) => body.spec.template.spec.containers.find((c: any) => c.name === 'trainer');

describe.skipIf(skipWithoutRedis('the Kubernetes training executor tests are'))(
  'AIC_TRAINING_EXECUTOR=kubernetes',
  () => {
    test('config: the executor is inprocess by default, kubernetes needs a kubeconfig or a pod, and a pod uses its service account', () => {
      expect(loadConfig({}).trainingExecutor).toBe('inprocess');
      expect(() => loadConfig({ AIC_TRAINING_EXECUTOR: 'slurm' })).toThrow(/AIC_TRAINING_EXECUTOR/);
      expect(() => loadConfig({ AIC_TRAINING_EXECUTOR: 'kubernetes' })).toThrow(/KUBERNETES_SERVICE_HOST/);
      const inPod = loadConfig({ AIC_TRAINING_EXECUTOR: 'kubernetes', KUBERNETES_SERVICE_HOST: '10.0.0.1' });
      expect(inPod.trainingKubernetes.access).toEqual({
        kind: 'in-cluster',
        host: '10.0.0.1',
        port: 443,
        serviceAccountDir: '/var/run/secrets/kubernetes.io/serviceaccount',
      });
      const withFile = loadConfig({
        AIC_TRAINING_EXECUTOR: 'kubernetes',
        KUBERNETES_SERVICE_HOST: '10.0.0.1',
        AIC_MODELS_KUBECONFIG: '/etc/kube/config',
      });
      expect(withFile.trainingKubernetes.access).toEqual({ kind: 'kubeconfig', path: '/etc/kube/config' });
    });

    test('a CPU job: one Job from the template runs the worker; progress and the result reach the service; the Job is deleted', async () => {
      let exit: Promise<number | null> | undefined;
      const id = await startJobWith(
        (job) => {
          exit = runPod(job);
        },
        { cpu: 1, gpu: 0 },
      );

      const events = await collectSubscription(
        models.service.graphqlUrl,
        token,
        'subscription($id: ID!) { trainingJobProgress(id: $id) { epoch state } }',
        { id },
      );
      expect(await exit).toBe(0);
      const epochs = events.map((e) => e.trainingJobProgress.epoch).filter((e) => e != null);
      expect(epochs.length).toBeGreaterThan(0);
      expect(epochs.at(-1)).toBe(30);
      expect(events.at(-1).trainingJobProgress.state).toBe('SUCCEEDED');
      expect(await readJob(id)).toMatchObject({
        state: 'SUCCEEDED',
        epoch: 30,
        error: null,
        modelVersion: { version: 1, source: 'TRAINING_JOB' },
      });

      const name = `training-${id}`;
      await until(
        'the Job deletion',
        () => kube.calls(),
        (c) => c.includes(`DELETE ${NS}/${name}`),
      );
      const mine = kube.requests.filter((r) => r.path.startsWith(`${NS}/${name}`) || r.body?.metadata?.name === name);
      expect(kube.requests.filter((r) => r.path === `${NS}/training-gpu-template`).length).toBeGreaterThan(0);
      expect(mine[0]).toMatchObject({ method: 'POST', path: NS });
      expect(mine.slice(1, -1).every((r) => r.method === 'GET' && r.path === `${NS}/${name}/status`)).toBe(true);
      expect(mine.at(-1)).toMatchObject({
        method: 'DELETE',
        path: `${NS}/${name}`,
        query: { propagationPolicy: 'Background' },
      });
      expect(mine.filter((r) => r.method === 'POST')).toHaveLength(1);

      const body = created(id)!.body;
      expect(() => new Job(body).validate()).not.toThrow();
      expect(body.spec.suspend).toBe(false);
      expect(body.spec.selector).toBeUndefined();
      expect(body.spec.template.metadata.labels).not.toHaveProperty('controller-uid');
      expect(body.spec.template.metadata.labels).not.toHaveProperty('batch.kubernetes.io/job-name');
      expect(trainer(body).args).toEqual(['dist/subgraphs/models/src/training-job.main.js']);
      expect(trainer(body).env).toEqual(
        expect.arrayContaining([
          { name: 'AIC_TRAINING_JOB_ID', value: id },
          { name: 'AIC_EXECUTION_PROVIDERS', value: 'cpu' },
        ]),
      );
      expect(trainer(body).resources.limits).not.toHaveProperty('nvidia.com/gpu');
      expect(trainer(body).resources.requests.cpu).toBe('1');
      expect(body.spec.template.spec.nodeSelector).toEqual({ 'aic.io/node-pool': 'apps' });
      expect(body.spec.template.spec.tolerations).toBeUndefined();
    }, 120_000);

    test('a GPU job whose pod is OOMKilled: FAILED with the pod reason, the GPU pool and limit, the Job deleted', async () => {
      const id = await startJobWith(
        (job) => {
          // The Job controller: the trainer pod is killed for memory, then the Job fails.
          kube.pods.push({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: {
              name: `${job.metadata.name}-x7k2p`,
              namespace: 'aic-ai',
              labels: { 'batch.kubernetes.io/job-name': job.metadata.name },
              creationTimestamp: new Date().toISOString(),
            },
            status: {
              phase: 'Failed',
              containerStatuses: [
                {
                  name: 'trainer',
                  image: trainer(job).image,
                  imageID: '',
                  ready: false,
                  restartCount: 0,
                  state: {
                    terminated: {
                      exitCode: 137,
                      reason: 'OOMKilled',
                      startedAt: new Date().toISOString(),
                      finishedAt: new Date().toISOString(),
                    },
                  },
                },
              ],
            },
          });
          setTimeout(
            () =>
              kube.finishJob(
                job.metadata.name,
                'Failed',
                'BackoffLimitExceeded',
                'Job has reached the specified backoff limit',
              ),
            300,
          );
        },
        { cpu: 4, gpu: 2, memoryMb: 16384 },
      );
      const job = await until(
        'the job to fail',
        () => readJob(id),
        (j) => j.state === 'FAILED',
      );
      expect(job.error).toContain(
        `Kubernetes Job training-${id} failed (BackoffLimitExceeded: Job has reached the specified backoff limit)`,
      );
      expect(job.error).toContain(`pod training-${id}-x7k2p: OOMKilled, exit code 137`);
      const name = `training-${id}`;
      await until(
        'the Job deletion',
        () => kube.calls(),
        (c) => c.includes(`DELETE ${NS}/${name}`),
      );
      expect(kube.calls()).toContain(`GET /api/v1/namespaces/aic-ai/pods`);
      expect(kube.requests.find((r) => r.path === '/api/v1/namespaces/aic-ai/pods')?.query.labelSelector).toBe(
        `batch.kubernetes.io/job-name=${name}`,
      );

      const body = created(id)!.body;
      expect(() => new Job(body).validate()).not.toThrow();
      expect(trainer(body).resources).toEqual({
        requests: { cpu: '4', memory: '16384Mi' },
        limits: { cpu: '4', memory: '16384Mi', 'nvidia.com/gpu': '2' },
      });
      expect(trainer(body).env).toEqual(
        expect.arrayContaining([{ name: 'AIC_EXECUTION_PROVIDERS', value: 'cuda,cpu' }]),
      );
      expect(body.spec.template.spec.nodeSelector).toEqual({ 'aic.io/node-pool': 'gpu' });
      expect(body.spec.template.spec.tolerations).toEqual([
        { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
      ]);
    }, 60_000);

    test('cancel while the pod trains: the pod stops through its own claim and ends the job CANCELLED (exit 2); the Job is deleted', async () => {
      let exit: Promise<number | null> | undefined;
      const id = await startJobWith(
        (job) => {
          exit = runPod(job);
        },
        { cpu: 1, gpu: 0 },
        2000,
      );
      await until(
        'the pod to train',
        () => readJob(id),
        (j) => j.state === 'RUNNING' && j.epoch >= 2,
      );
      const cancelled = await gql(
        models.service.graphqlUrl,
        'mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }',
        { id },
        token,
      );
      expect(cancelled.errors).toBeUndefined();
      expect(await exit).toBe(2);
      const job = await readJob(id);
      expect(job.state).toBe('CANCELLED');
      expect(job.epoch).toBeLessThan(2000);
      // The pod's own claim ended cancelled: the pod stopped the run, not the executor's fallback.
      expect((await models.built.jobs.store.get(`${id}:pod`))?.state).toBe('cancelled');
      await until(
        'the Job deletion',
        () => kube.calls(),
        (c) => c.includes(`DELETE ${NS}/training-${id}`),
      );
      expect(kube.jobs.has(`training-${id}`)).toBe(false);
    }, 120_000);

    test('a submission the API server refuses (no template) fails the job with its answer instead of leaving it queued', async () => {
      const template = kube.jobs.get('training-gpu-template')!;
      kube.jobs.delete('training-gpu-template');
      try {
        const id = await startJob(`k8s-missing-${Math.random().toString(36).slice(2, 8)}`, { cpu: 1, gpu: 1 });
        const job = await until(
          'the job to fail',
          () => readJob(id),
          (j) => j.state === 'FAILED',
        );
        expect(job.error).toBe(
          `submitting the Kubernetes Job training-${id} failed: 404 jobs.batch "training-gpu-template" not found`,
        );
        expect(created(id)).toBeUndefined();
      } finally {
        kube.jobs.set('training-gpu-template', template);
      }
    }, 60_000);

    test('cancel: the job ends CANCELLED and its Job is deleted (Background)', async () => {
      const id = await startJobWith(() => undefined, { cpu: 1, gpu: 1 });
      const name = `training-${id}`;
      await until(
        'the Job to be watched',
        () => kube.calls(),
        (c) => c.includes(`GET ${NS}/${name}/status`),
      );
      const cancelled = await gql(
        models.service.graphqlUrl,
        'mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }',
        { id },
        token,
      );
      expect(cancelled.errors).toBeUndefined();
      await until(
        'the job to be cancelled',
        () => readJob(id),
        (j) => j.state === 'CANCELLED',
      );
      await until(
        'the Job deletion',
        () => kube.calls(),
        (c) => c.includes(`DELETE ${NS}/${name}`),
      );
      const deletion = kube.requests.find((r) => r.method === 'DELETE' && r.path === `${NS}/${name}`)!;
      expect(deletion.query.propagationPolicy).toBe('Background');
      expect(kube.jobs.has(name)).toBe(false);
    }, 60_000);
  },
);

/** Starts a job whose Job creation runs `onCreate` (the Job controller's part). */
async function startJobWith(
  onCreate: (job: StoredJob) => void,
  resources: { cpu: number; gpu: number; memoryMb?: number },
  epochs?: number,
) {
  const id = await startJob(`k8s-${resources.gpu}-${Math.random().toString(36).slice(2, 8)}`, resources, epochs);
  controller.set(id, onCreate);
  const job = early.get(id);
  if (job) onCreate(job);
  return id;
}

/** The pod of a created Job: the worker entry point as a process; its exit sets the Job's condition. */
function runPod(job: StoredJob): Promise<number | null> {
  // The pod: the worker entry point with the Job's env (and what the ConfigMap/Secrets give it in the cluster).
  const env: Record<string, string> = {};
  for (const e of trainer(job).env) if (typeof e.value === 'string') env[e.name] = e.value;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve(__dirname, '../../src/training-job.main.ts')],
    {
      env: {
        ...process.env,
        ...env,
        AIC_DATA_DIR: dataDir,
        DATABASE_URL: '',
        REDIS_URL,
        AIC_CATALOG_URL: catalog.url,
        AIC_IDENTITY_URL: issuer.url,
        AIC_SERVICE_SECRET: issuer.serviceSecret,
        AIC_TRAINING_WORKER_THREADS: 'false',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      if (code === 0)
        kube.finishJob(
          job.metadata.name,
          'Complete',
          'CompletionsReached',
          'Reached expected number of succeeded pods',
        );
      else {
        // 2: the job ended FAILED or CANCELLED (the template's podFailurePolicy fails the Job at once).
        if (code !== 2) process.stderr.write(output);
        kube.finishJob(job.metadata.name, 'Failed', 'PodFailurePolicy', `exit code ${code}`);
      }
      resolve(code);
    }),
  );
}
