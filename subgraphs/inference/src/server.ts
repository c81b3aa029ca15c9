import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import type { InferencePodIdentity } from '../../../lib/contracts/index';
import type { ArtifactStore, Logger, PubSub, ServiceServer } from '../../../lib/src/index';
import {
  createContextFactory,
  createFileArtifactStore,
  createLogger,
  createOrm,
  createPubSub,
  createServiceMetrics,
  createServiceAuth,
  createServiceServer,
  createServiceTokenSource,
  createUploadManager,
  createWorkerPool,
  pingDatabase,
} from '../../../lib/src/index';
import { BatchInferenceJob } from './batch/batch-job.entity';
import { BatchJobService } from './batch/batch-job.service';
import type { Config } from './config';
import type { InferenceApp, InferenceContext } from './context';
import { EdgePackageService } from './edge/edge-package.service';
import { Endpoint } from './endpoint/endpoint.entity';
import { EndpointService } from './endpoint/endpoint.service';
import { mountOipRoutes } from './oip/oip.routes';
import { ModelExecutor } from './runtime/model.executor';
import { SessionManager, type RuntimeLogger } from './runtime/session.manager';
import { buildInferenceSchema } from './schema';
import { CachedModelVersion } from './serving/cached-model-version.entity';
import { createInferenceMetrics } from './serving/inference.metrics';
import { ModelArtifactSource } from './serving/model-artifact.source';
import { ServingRegistry } from './serving/serving.registry';

export interface Deps {
  /** Built in main.ts (or a test) so its sessions outlive one server; made from config otherwise. */
  sessions: SessionManager;
  orm: MikroORM;
  pubSub: PubSub;
  store: ArtifactStore;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ORT_VERSION: string = require('onnxruntime-node/package.json').version;

/** The session manager the settings describe (main.ts builds it so sessions outlive one server). */
export function createSessionManager(config: Config, logger: RuntimeLogger): SessionManager {
  return new SessionManager({ maxBytes: config.sessionBudgetBytes, providers: config.executionProviders, intraOpNumThreads: config.intraOpNumThreads, ownThreadRunMs: config.ownThreadRunMs, sessionConfig: config.sessionConfig, logger });
}

/** Builds the inference service (never listens): endpoints, predictions, OIP REST, batch jobs, edge packages. */
export async function createServer(config: Config, deps: Partial<Deps> = {}) {
  const logger = createLogger('inference', config.logLevel);
  if (config.pod.endpointId) logger.info({ pod: config.pod, executionProviders: config.executionProviders }, 'inference pod deployed for an application endpoint');
  const orm = deps.orm ?? (await createOrm({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, serviceName: 'inference', entities: [Endpoint, CachedModelVersion, BatchInferenceJob], logger }));
  const pubSub = deps.pubSub ?? createPubSub({ redisUrl: config.redisUrl, prefix: config.redisUrl ? 'inference' : `inference-${randomUUID()}` });
  const store = deps.store ?? createFileArtifactStore(path.join(config.dataDir, 'artifacts'));
  const sessions = deps.sessions ?? createSessionManager(config, logger);
  const metrics = createServiceMetrics('inference', { maxLabelValues: config.metricsMaxLabelValues });
  const inferenceMetrics = createInferenceMetrics(metrics.registry, sessions, metrics.maxLabelValues);
  const tokens = config.serviceSecret ? createServiceTokenSource({ identityUrl: config.identityUrl, service: 'inference', secret: config.serviceSecret }) : undefined;
  const source = new ModelArtifactSource({ modelsUrl: config.modelsUrl, store, tokens, maxBytes: config.maxArtifactBytes });
  const executor = new ModelExecutor(sessions);
  const endpoints = new EndpointService(source, config.executionProviders, config.endpointCacheMs ?? 1000);
  const serving = new ServingRegistry({
    orm,
    executor,
    source,
    metrics: inferenceMetrics,
    logger,
    publish: (topic, id, payload) => pubSub.publish(topic, id, payload),
    metricsWindowMs: config.metricsWindowMs,
    streamOutputLimit: config.streamOutputLimit,
  });
  const uploads = createUploadManager({ service: 'inference', publicUrl: config.publicUrl, store, recordDir: path.join(config.dataDir, 'uploads'), secret: config.serviceSecret, maxBytes: config.maxArtifactBytes });
  const edge = new EdgePackageService({ source, store, uploads, onnxruntimeVersion: ORT_VERSION });
  const pool = createWorkerPool({ concurrency: config.batchJobConcurrency, logger });
  const batch = new BatchJobService({ orm, pool, pubSub, serving, endpoints, tokens, catalogUrl: config.catalogUrl, metrics: inferenceMetrics, logger });
  const app: InferenceApp = { config, endpoints, serving, pubSub, edge, batch };
  const auth = await createServiceAuth(config.auth, logger);
  const verify = auth.verify;
  const schema = await buildInferenceSchema(pubSub);
  const baseContext = createContextFactory({ orm, verify, logger });
  let listening = false;
  const server: ServiceServer = await createServiceServer<InferenceContext>({
    name: 'inference',
    schema,
    logger,
    metrics,
    production: config.production,
    serviceSecret: config.serviceSecret,
    bodyLimitBytes: config.bodyLimitBytes,
    webSocket: config.webSocket,
    context: async (input) => Object.assign(await baseContext(input), { app }),
    readinessChecks: [() => pingDatabase(orm)],
    revocations: auth.revocations,
    routes: (express) => {
      uploads.mount(express);
      mountOipRoutes(express, { orm, verify, endpoints, serving, bodyLimitBytes: config.bodyLimitBytes, isReady: () => listening, version: ORT_VERSION });
    },
    onStop: async () => {
      listening = false;
      await pool.close();
      executor.flush();
      if (!deps.sessions) await sessions.close();
      if (!deps.pubSub) await pubSub.close();
      if (!deps.orm) await orm.close();
    },
  });
  const listen = server.listen.bind(server);
  server.listen = async (port, host) => {
    const url = await listen(port, host);
    listening = true;
    await warmUp(orm, serving, config.pod, logger).catch((err) => logger.error({ err }, 'endpoint warm-up at boot failed'));
    await batch.resume();
    return url;
  };
  return { server, orm, schema, sessions, serving, store, app };
}

/**
 * Loads every endpoint's versions in the background (from the local artifact cache when present);
 * in a pod deployed for an endpoint (AIC_ENDPOINT_ID), that endpoint's first, with a warning when its
 * routes no longer name the versions the pod was deployed with (AIC_MODEL_VERSION_IDS).
 */
async function warmUp(orm: MikroORM, serving: ServingRegistry, pod: InferencePodIdentity, logger: Logger): Promise<void> {
  const all = await orm.em.fork().find(Endpoint, {});
  const own = all.find((e) => e.id === pod.endpointId);
  if (pod.endpointId && !own) logger.warn({ endpointId: pod.endpointId }, 'the endpoint this pod was deployed for does not exist here');
  if (own && pod.modelVersionIds.length) {
    const current = own.routes.map((r) => r.modelVersionId).sort();
    if (current.join(',') !== [...pod.modelVersionIds].sort().join(',')) logger.warn({ endpointId: own.id, deployed: pod.modelVersionIds, current }, 'the endpoint routes other model versions than the pod was deployed with');
  }
  for (const endpoint of own ? [own, ...all.filter((e) => e !== own)] : all) serving.loadInBackground(endpoint);
}
