import path from 'node:path';
import type { SubgraphDatabase } from '../../../lib/src/kit/database';
import { subgraphOrm } from '../../../lib/src/kit/database';
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import type { GraphQLSchema } from 'graphql';
import type { ArtifactStore, Logger, PubSub, ServiceServer, TokenVerifier } from '../../../lib/src/index';
import {
  createContextFactory,
  createArtifactStore,
  createLogger,
  createPubSub,
  createServiceMetrics,
  createServiceAuth,
  createServiceServer,
  createUploadManager,
  pingDatabase,
} from '../../../lib/src/index';
import type { Clock } from '../../../lib/src/kit/clock';
import { systemClock } from '../../../lib/src/kit/clock';
import { withServices } from '../../../lib/src/kit/context';
import type { BootKit } from '../../../lib/src/kit/boot';
import type { JobQueue } from '../../../lib/src/jobs';
import { createServiceJobQueue } from '../../../lib/src/kit/jobs';
import { createLeadership, leaseName } from '../../../lib/src/kit/leader';
import type { CatalogServices } from './catalog.services';
import { createCatalogServices } from './catalog.services';
import type { Config } from './config';
import { SERVICE_NAME } from './config';
import type { CatalogContext } from './context';
import { createCatalogMetrics } from './catalog.metrics';
import { CATALOG_ENTITIES } from './entities';
import { mountInternalRoutes } from './internal/internal.routes';
import { createOpenLineageValidator } from './openlineage/openlineage.validator';
import { RetentionSchedule } from './governance/retention.schedule';
import { buildCatalogSchema } from './schema';
import { MIGRATIONS } from './migrations/index';

/** The catalog database: its entities and migrations (opened by the boot sequence, see lib/src/kit/boot). */
export const CATALOG_DATABASE: SubgraphDatabase = { entities: CATALOG_ENTITIES, migrations: MIGRATIONS };

export interface CatalogDeps {
  /** What the boot sequence hands over: logger, `consume` (register job handlers) and the migrated database (`kit.orm`). */
  kit: Partial<BootKit>;
  /** Where the service logs (tests capture it). @default a pino logger on stdout at LOG_LEVEL */
  logger: Logger;
  orm: MikroORM;
  store: ArtifactStore;
  pubSub: PubSub;
  verify: TokenVerifier;
  /** @default the system clock */
  clock: Clock;
}

export interface CatalogServer {
  server: ServiceServer;
  orm: MikroORM;
  schema: GraphQLSchema;
  store: ArtifactStore;
  services: CatalogServices;
  /** The retention schedule (runs on the replica elected leader for it). */
  retention: RetentionSchedule;
  /** Profiling jobs (lib/src/jobs); the boot sequence closes it (jobs handed back) before the server. */
  jobs: JobQueue;
  /** Enqueues versions left PROFILING before profiling ran as jobs (no claim yet); the boot sequence calls it after listening. */
  resume: () => Promise<number>;
}

/** Builds the catalog service (never listens): ORM, artifact store, uploads, services, schema, REST routes, retention schedule. */
export async function createServer(config: Config, deps: Partial<CatalogDeps> = {}): Promise<CatalogServer> {
  const logger = deps.logger ?? deps.kit?.logger ?? createLogger(SERVICE_NAME, config.logLevel);
  const orm = await subgraphOrm(config, CATALOG_DATABASE, deps, logger);
  const store =
    deps.store ?? createArtifactStore(config, config.serviceName, path.join(config.dataDir, SERVICE_NAME, 'artifacts'));
  const pubSub =
    deps.pubSub ??
    createPubSub({
      redisUrl: config.redisUrl,
      prefix: config.redisUrl ? SERVICE_NAME : `${SERVICE_NAME}-${randomUUID()}`,
    });
  const auth = deps.verify ? undefined : await createServiceAuth(config.auth, logger);
  const verify = deps.verify ?? auth!.verify;
  const uploads = createUploadManager({
    service: SERVICE_NAME,
    publicUrl: config.publicUrl,
    store,
    recordDir: path.join(config.dataDir, SERVICE_NAME, 'uploads'),
    secret: config.serviceSecret,
    maxBytes: config.maxContentBytes,
  });
  const serviceMetrics = createServiceMetrics(SERVICE_NAME, { maxLabelValues: config.metricsMaxLabelValues });
  const jobs = createServiceJobQueue(config, { orm, pubSub, logger });
  const services = createCatalogServices({
    orm,
    store,
    uploads,
    jobs,
    logger,
    metrics: createCatalogMetrics(serviceMetrics.registry),
    validator: createOpenLineageValidator(),
    publish: (topic, payload) => pubSub.publish(topic, payload),
    clock: deps.clock ?? systemClock,
    settings: config,
  });
  // Processes that consume jobs (every replica unless AIC_JOBS_CONSUME=false; always a worker) profile.
  if (deps.kit?.consume ?? config.jobsConsume) services.profiling.register(config.profilingConcurrency);
  const schema = await buildCatalogSchema(pubSub);
  const baseContext = createContextFactory({ orm, verify, logger });
  // Replicas on one database elect one leader for the retention runs.
  const leader =
    config.retentionIntervalSeconds > 0
      ? createLeadership(leaseName(SERVICE_NAME, 'retention', config), { redisUrl: config.redisUrl, logger })
      : undefined;
  const retention = new RetentionSchedule({
    orm,
    retention: services.retention,
    logger,
    intervalSeconds: config.retentionIntervalSeconds,
    leader,
    jobs,
  }).start();
  const server = await createServiceServer<CatalogContext>({
    name: SERVICE_NAME,
    schema,
    logger,
    metrics: serviceMetrics,
    production: config.production,
    serviceSecret: config.serviceSecret,
    bodyLimitBytes: config.bodyLimitBytes,
    webSocket: config.webSocket,
    context: withServices(baseContext, services),
    readinessChecks: [() => pingDatabase(orm)],
    revocations: auth?.revocations,
    routes: (app) => {
      uploads.mount(app);
      mountInternalRoutes(app, { orm, verify, services, logger, maxContentBytes: config.maxContentBytes });
    },
    onStop: async () => {
      retention.stop();
      await leader?.stop();
      await jobs.close();
      await pubSub.close();
      await orm.close();
    },
  });
  return { server, orm, schema, store, services, retention, jobs, resume: () => services.profiling.resume() };
}
