import { randomUUID } from 'node:crypto';
import type { SubgraphDatabase } from '../../../lib/src/kit/database';
import { subgraphOrm } from '../../../lib/src/kit/database';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import type { ArtifactStore, PubSub, ServiceServer } from '../../../lib/src/index';
import {
  createContextFactory,
  createArtifactStore,
  createLogger,
  createPubSub,
  createServiceMetrics,
  createServiceAuth,
  createServiceServer,
  createServiceTokenSource,
  createUploadManager,
  pingDatabase,
} from '../../../lib/src/index';
import type { BootKit } from '../../../lib/src/kit/boot';
import type { Clock } from '../../../lib/src/kit/clock';
import { createServiceJobQueue } from '../../../lib/src/kit/jobs';
import { systemClock } from '../../../lib/src/kit/clock';
import type { Config } from './config';
import type { InferenceContext } from './context';
import { Endpoint } from './endpoint/endpoint.entity';
import { ReplicaStates } from './endpoint/replica-states';
import { createInferenceServices } from './inference.services';
import { mountOipRoutes } from './oip/oip.routes';
import { ModelExecutor } from './runtime/model.executor';
import { SessionManager, type RuntimeLogger } from './runtime/session.manager';
import { buildInferenceSchema } from './schema';
import { createInferenceMetrics } from './serving/inference.metrics';
import { MIGRATIONS } from './migrations/index';
import { INFERENCE_ENTITIES } from './inference.entities';

/** The inference database: its entities and migrations (opened by the boot sequence, see lib/src/kit/boot). */
export const INFERENCE_DATABASE: SubgraphDatabase = { entities: INFERENCE_ENTITIES, migrations: MIGRATIONS };

export interface Deps {
  /** Built in main.ts (or a test) so its sessions outlive one server; made from config otherwise. */
  sessions: SessionManager;
  orm: MikroORM;
  pubSub: PubSub;
  store: ArtifactStore;
  /** @default the system clock */
  clock: Clock;
  /** From the boot sequence (main.ts, worker.ts): the logger, and whether this process runs jobs. @default consume */
  kit: Pick<BootKit, 'consume'> & Partial<BootKit>;
  /** Waits before each retry of an undelivered lineage event. @default lib's LineageReporter default */
  lineageRetryDelaysMs: readonly number[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ORT_VERSION: string = require('onnxruntime-node/package.json').version;

/** The session manager the settings describe (main.ts builds it so sessions outlive one server). */
export function createSessionManager(config: Config, logger: RuntimeLogger): SessionManager {
  return new SessionManager({
    maxBytes: config.sessionBudgetBytes,
    providers: config.executionProviders,
    intraOpNumThreads: config.intraOpNumThreads,
    ownThreadRunMs: config.ownThreadRunMs,
    sessionConfig: config.sessionConfig,
    logger,
  });
}

/** Builds the inference service (never listens): endpoints, predictions, OIP REST, batch jobs, edge packages. */
export async function createServer(config: Config, deps: Partial<Deps> = {}) {
  const logger = deps.kit?.logger ?? createLogger('inference', config.logLevel);
  const consume = deps.kit?.consume ?? config.jobsConsume ?? true;
  if (config.pod.endpointId)
    logger.info(
      { pod: config.pod, executionProviders: config.executionProviders },
      'inference pod deployed for an application endpoint',
    );
  const orm = await subgraphOrm(config, INFERENCE_DATABASE, deps, logger);
  const pubSub =
    deps.pubSub ??
    createPubSub({ redisUrl: config.redisUrl, prefix: config.redisUrl ? 'inference' : `inference-${randomUUID()}` });
  const store = deps.store ?? createArtifactStore(config, config.serviceName, path.join(config.dataDir, 'artifacts'));
  const sessions = deps.sessions ?? createSessionManager(config, logger);
  const metrics = createServiceMetrics('inference', { maxLabelValues: config.metricsMaxLabelValues });
  const inferenceMetrics = createInferenceMetrics(metrics.registry, sessions, metrics.maxLabelValues);
  const tokens = config.serviceSecret
    ? createServiceTokenSource({ identityUrl: config.identityUrl, service: 'inference', secret: config.serviceSecret })
    : undefined;
  const executor = new ModelExecutor(sessions);
  const uploads = createUploadManager({
    service: 'inference',
    publicUrl: config.publicUrl,
    store,
    recordDir: path.join(config.dataDir, 'uploads'),
    secret: config.serviceSecret,
    maxBytes: config.maxArtifactBytes,
  });
  // Batch jobs run on the one job mechanism: claimed by one replica, taken over after its lease, handed back on SIGTERM.
  const jobs = createServiceJobQueue(config, { orm, pubSub, logger });
  // Endpoint status over replicas: each API replica writes its own state per endpoint (named like its job owner).
  const replicaStates = new ReplicaStates({
    orm,
    replica: jobs.owner,
    ttlMs: config.replicaStateTtlMs ?? 30_000,
    clock: deps.clock ?? systemClock,
    logger,
  });
  const services = createInferenceServices({
    orm,
    executor,
    store,
    uploads,
    queue: jobs,
    replicaStates,
    pubSub,
    tokens,
    metrics: inferenceMetrics,
    logger,
    clock: deps.clock ?? systemClock,
    onnxruntimeVersion: ORT_VERSION,
    lineageRetryDelaysMs: deps.lineageRetryDelaysMs,
    settings: config,
  });
  if (consume) services.batch.register(config.batchJobConcurrency);
  // A worker serves no predictions: its sessions say nothing about whether the endpoint is ready.
  if (deps.kit?.role !== 'worker')
    replicaStates.start(
      () => orm.em.fork().find(Endpoint, {}),
      (endpoint) => services.endpoints.localStatus(endpoint),
      config.replicaStateReportMs ?? 1000,
    );
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
    context: async (input) => Object.assign(await baseContext(input), { services }),
    readinessChecks: [() => pingDatabase(orm)],
    revocations: auth.revocations,
    routes: (express) => {
      uploads.mount(express);
      mountOipRoutes(express, {
        orm,
        verify,
        services,
        bodyLimitBytes: config.bodyLimitBytes,
        isReady: () => listening,
        version: ORT_VERSION,
      });
    },
    onStop: async () => {
      listening = false;
      // Running batch jobs finish their chunk and are handed back (boot closes the queue first; tests stop here).
      await jobs.close().catch((err) => logger.error({ err }, 'error while handing batch jobs back'));
      await replicaStates.stop();
      services.endpointLineage?.close();
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
    await services.endpoints
      .warmUp(orm.em.fork(), config.pod, logger)
      .catch((err) => logger.error({ err }, 'endpoint warm-up at boot failed'));
    return url;
  };
  return {
    server,
    orm,
    schema,
    sessions,
    services,
    store,
    jobs,
    /** After listen (and the endpoints' warm-up): jobs from before the job queue (no claim) are enqueued. */
    resume: () => services.batch.resume(),
  };
}
