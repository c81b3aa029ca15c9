import { randomUUID } from 'node:crypto';
import type { BootKit } from '../../../lib/src/kit/boot';
import type { SubgraphDatabase } from '../../../lib/src/kit/database';
import { subgraphOrm } from '../../../lib/src/kit/database';
import type { MikroORM } from '@mikro-orm/core';
import type { GraphQLSchema } from 'graphql';
import type { PubSub, ServiceServer, ServiceTokenSource } from '../../../lib/src/index';
import {
  createContextFactory,
  createLogger,
  createPubSub,
  createServiceServer,
  createServiceAuth,
  createServiceTokenSource,
  pingDatabase,
} from '../../../lib/src/index';
import type { Clock } from '../../../lib/src/kit/clock';
import { systemClock } from '../../../lib/src/kit/clock';
import type { JobQueue } from '../../../lib/src/jobs';
import { createServiceJobQueue } from '../../../lib/src/kit/jobs';
import { createLeadership, leaseName } from '../../../lib/src/kit/leader';
import { registerRollouts } from './deployment/rollout.job';
import { APPS_ENTITIES } from './apps.entities';
import { createAppsServices } from './apps.services';
import type { AppsServices } from './apps.services';
import type { Config } from './config';
import type { AppsContext } from './context';
import { createKubernetesApplier } from './drivers/kubernetes.applier';
import type { KubernetesApplier } from './drivers/kubernetes.applier';
import { buildAppsSchema } from './schema';
import { MIGRATIONS } from './migrations/index';

export { APPS_ENTITIES } from './apps.entities';

/** Replaceable collaborators (tests pass their own clock or applier). */
/** The apps database: its entities and migrations (opened by the boot sequence, see lib/src/kit/boot). */
export const APPS_DATABASE: SubgraphDatabase = { entities: APPS_ENTITIES, migrations: MIGRATIONS };

export interface AppsDeps {
  /** What the boot sequence hands over: logger, job settings and the migrated database (`kit.orm`). */
  kit: Partial<BootKit>;
  kubernetesApplier: KubernetesApplier | null;
  tokens: ServiceTokenSource | null;
  clock: Clock;
  /** Waits before each retry of an undelivered lineage event. @default lib's LineageReporter default */
  lineageRetryDelaysMs: readonly number[];
}

export interface AppsServer {
  server: ServiceServer;
  /** The job queue rollouts run on (lib/src/jobs); the boot sequence closes it (hand-back) before the server. */
  jobs: JobQueue;
  orm: MikroORM;
  schema: GraphQLSchema;
  pubSub: PubSub;
  services: AppsServices;
}

/**
 * Builds the apps service (never listens): ORM, pub/sub, drivers, monitor, schema and server.
 * @returns the server and its parts
 */
export async function createServer(config: Config, deps: Partial<AppsDeps> = {}): Promise<AppsServer> {
  const logger = deps.kit?.logger ?? createLogger('apps', config.logLevel);
  const orm = await subgraphOrm(config, APPS_DATABASE, deps, logger);
  const pubSub = createPubSub({ redisUrl: config.redisUrl, prefix: config.redisUrl ? 'apps' : `apps-${randomUUID()}` });
  const applier =
    deps.kubernetesApplier !== undefined
      ? deps.kubernetesApplier
      : config.kubernetes.access
        ? createKubernetesApplier(config.kubernetes.access)
        : null;
  const tokens =
    deps.tokens !== undefined
      ? deps.tokens
      : config.serviceSecret
        ? createServiceTokenSource({ identityUrl: config.identityUrl, service: 'apps', secret: config.serviceSecret })
        : null;
  // Replicas on one database elect one leader for the monitor's scheduled rounds (health checks, autoscaler steps).
  const leader =
    tokens && config.monitorIntervalSeconds > 0
      ? createLeadership(leaseName('apps', 'monitor', config), { redisUrl: config.redisUrl, logger })
      : undefined;
  const jobs = createServiceJobQueue(config, { orm, pubSub, logger });
  const services = createAppsServices({
    orm,
    jobs,
    pubSub,
    logger,
    kubernetesApplier: applier,
    tokens,
    leader,
    clock: deps.clock ?? systemClock,
    lineageRetryDelaysMs: deps.lineageRetryDelaysMs,
    settings: config,
  });
  const { monitor } = services;
  if (deps.kit?.consume ?? config.jobsConsume) registerRollouts(jobs, { orm, services, tokens, logger });
  const schema = await buildAppsSchema(pubSub);
  const auth = await createServiceAuth(config.auth, logger);
  const baseContext = createContextFactory({ orm, verify: auth.verify, logger });
  const server = await createServiceServer<AppsContext>({
    name: 'apps',
    schema,
    logger,
    production: config.production,
    serviceSecret: config.serviceSecret,
    bodyLimitBytes: config.bodyLimitBytes,
    webSocket: config.webSocket,
    metricsMaxLabelValues: config.metricsMaxLabelValues,
    context: async (input) => Object.assign(await baseContext(input), { services }),
    readinessChecks: [() => pingDatabase(orm)],
    revocations: auth.revocations,
    onStop: async () => {
      await jobs.close();
      services.lineage?.close();
      await monitor.stop();
      await leader?.stop();
      await pubSub.close();
      await orm.close();
    },
  });
  monitor.start();
  return { server, orm, schema, pubSub, services, jobs };
}
