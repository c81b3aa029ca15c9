import type { MikroORM } from '@mikro-orm/core';
import type { ArtifactStore, Logger, PubSub, ServiceTokenSource, UploadManager } from '../../../lib/src/index';
import type { JobQueue } from '../../../lib/src/jobs';
import type { Clock } from '../../../lib/src/kit/clock';
import { BatchJobRepository } from './batch/batch-job.repository';
import { BatchJobService } from './batch/batch-job.service';
import type { Config } from './config';
import { EdgePackageService } from './edge/edge-package.service';
import { EndpointLineage } from './endpoint/endpoint.lineage';
import { EndpointRepository } from './endpoint/endpoint.repository';
import { EndpointService } from './endpoint/endpoint.service';
import type { ReplicaStates } from './endpoint/replica-states';
import { PredictionService } from './prediction/prediction.service';
import type { ModelExecutor } from './runtime/model.executor';
import { CachedModelVersionRepository } from './serving/cached-model-version.repository';
import type { InferenceMetrics } from './serving/inference.metrics';
import { ModelArtifactSource } from './serving/model-artifact.source';
import { ServingRegistry } from './serving/serving.registry';

/** The inference services, built once per process and shared by every request (`ctx.services`, the OIP routes). */
export interface InferenceServices {
  endpoints: EndpointService;
  predictions: PredictionService;
  edge: EdgePackageService;
  batch: BatchJobService;
  /** The live side of endpoints: runtimes, sessions, metrics (the OIP routes serve from it). */
  serving: ServingRegistry;
  /** Endpoint deployments reported to the catalog; null without a service secret. */
  endpointLineage: EndpointLineage | null;
}

/** The process-wide dependencies the services are built from (server.ts makes them). */
export interface InferenceServiceDeps {
  orm: MikroORM;
  executor: ModelExecutor;
  store: ArtifactStore;
  uploads: UploadManager;
  /** The service's job queue (lib/src/jobs): batch jobs are enqueued, claimed and cancelled through it. */
  queue: JobQueue;
  /** Every replica's endpoint states (endpoint status is their aggregate). */
  replicaStates?: ReplicaStates;
  pubSub: PubSub;
  tokens?: ServiceTokenSource;
  metrics: InferenceMetrics;
  logger: Logger;
  clock: Clock;
  /** Waits before each retry of an undelivered lineage event (lib's LineageReporter default when unset). */
  lineageRetryDelaysMs?: readonly number[];
  /** The onnxruntime-node version edge packages ask for. */
  onnxruntimeVersion: string;
  settings: Pick<
    Config,
    | 'modelsUrl'
    | 'catalogUrl'
    | 'maxArtifactBytes'
    | 'executionProviders'
    | 'endpointCacheMs'
    | 'metricsWindowMs'
    | 'streamOutputLimit'
  >;
}

/** The composition root: every repository and service of inference, each built once, wired by constructor. */
export function createInferenceServices(deps: InferenceServiceDeps): InferenceServices {
  const { orm, settings, pubSub, tokens, clock } = deps;
  const endpointRepository = new EndpointRepository();
  const cachedVersions = new CachedModelVersionRepository();
  const source = new ModelArtifactSource({
    versions: cachedVersions,
    modelsUrl: settings.modelsUrl,
    store: deps.store,
    tokens,
    maxBytes: settings.maxArtifactBytes,
  });
  const serving = new ServingRegistry({
    orm,
    cachedVersions,
    executor: deps.executor,
    source,
    metrics: deps.metrics,
    logger: deps.logger,
    publish: (topic, id, payload) => pubSub.publish(topic, id, payload),
    metricsWindowMs: settings.metricsWindowMs,
    streamOutputLimit: settings.streamOutputLimit,
  });
  const endpointLineage = tokens
    ? new EndpointLineage(settings.catalogUrl, tokens, deps.logger, deps.lineageRetryDelaysMs)
    : null;
  if (!endpointLineage)
    deps.logger.warn('AIC_SERVICE_SECRET is not set: endpoint deployments are not reported to the catalog lineage');
  const endpoints = new EndpointService(
    endpointRepository,
    source,
    serving,
    {
      defaultProviders: settings.executionProviders,
      cacheMs: settings.endpointCacheMs ?? 1000,
      replicaStates: deps.replicaStates,
      lineage: endpointLineage ?? undefined,
    },
    clock,
  );
  return {
    endpoints,
    predictions: new PredictionService(endpoints, serving, pubSub, settings.metricsWindowMs, clock),
    edge: new EdgePackageService({
      source,
      store: deps.store,
      uploads: deps.uploads,
      onnxruntimeVersion: deps.onnxruntimeVersion,
    }),
    batch: new BatchJobService({
      orm,
      jobs: new BatchJobRepository(),
      endpointRepository,
      queue: deps.queue,
      pubSub,
      serving,
      endpoints,
      tokens,
      catalogUrl: settings.catalogUrl,
      metrics: deps.metrics,
      logger: deps.logger,
      clock,
    }),
    serving,
    endpointLineage,
  };
}
