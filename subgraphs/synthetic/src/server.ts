import { randomUUID } from 'node:crypto';
import type { SubgraphDatabase } from '../../../lib/src/kit/database';
import { subgraphOrm } from '../../../lib/src/kit/database';
import type { MikroORM } from '@mikro-orm/core';
import type { GraphQLSchema } from 'graphql';
import type { Logger, PubSub, ServiceServer, ServiceTokenSource, TokenVerifier } from '../../../lib/src/index';
import {
  createContextFactory,
  createLogger,
  createOpenLineageEmitter,
  createPubSub,
  createServiceServer,
  createServiceAuth,
  createServiceTokenSource,
  DomainError,
  pingDatabase,
} from '../../../lib/src/index';
import { CatalogClient } from './clients/catalog.client';
import { SchemasClient } from './clients/schemas.client';
import type { JobQueue } from '../../../lib/src/jobs';
import type { BootKit } from '../../../lib/src/kit/boot';
import type { Clock } from '../../../lib/src/kit/clock';
import { createServiceJobQueue } from '../../../lib/src/kit/jobs';
import { systemClock } from '../../../lib/src/kit/clock';
import type { Config } from './config';
import { SERVICE_NAME } from './config';
import type { SyntheticContext } from './context';
import type { SyntheticJobPayload } from './job/job.runner';
import { LINEAGE_PERMISSIONS, SYNTHETIC_JOB } from './job/job.runner';
import { SYNTHETIC_PRODUCER } from './job/job.lineage';
import { SyntheticDataJob } from './job/synthetic-job.entity';
import { SyntheticReport } from './report/synthetic-report.entity';
import { buildSyntheticSchema } from './schema';
import type { SyntheticServices } from './synthetic.services';
import { createSyntheticServices } from './synthetic.services';
import { MIGRATIONS } from './migrations/index';

/** Replaceable collaborators (tests pass an ORM on a given database, for example). */
export interface SyntheticDeps {
  /** What the boot sequence hands over: logger, `consume` (register job handlers) and the migrated database (`kit.orm`). */
  kit: Partial<BootKit>;
  orm: MikroORM;
  pubSub: PubSub;
  verify: TokenVerifier;
  tokens: ServiceTokenSource;
  /** @default the system clock */
  clock: Clock;
  /** Where the service logs. @default a pino logger at LOG_LEVEL */
  logger: Logger;
}

export interface SyntheticServer {
  server: ServiceServer;
  orm: MikroORM;
  schema: GraphQLSchema;
  services: SyntheticServices;
  /** The job queue synthetic data jobs run on (lib/src/jobs); the boot sequence closes it (hand-back) before the server. */
  jobs: JobQueue;
  /** Enqueues jobs left unfinished before jobs had claims; the boot sequence calls it after listening. */
  resume: () => Promise<number>;
}

export const SYNTHETIC_ENTITIES = [SyntheticDataJob, SyntheticReport];

/** The synthetic database: its entities and migrations (opened by the boot sequence, see lib/src/kit/boot). */
export const SYNTHETIC_DATABASE: SubgraphDatabase = { entities: SYNTHETIC_ENTITIES, migrations: MIGRATIONS };

/**
 * Builds the synthetic service (never listens): ORM, job queue (its handler registered when the
 * process consumes jobs: `kit.consume`, default true), clients of catalog and schemas, schema, server.
 */
export async function createServer(config: Config, deps: Partial<SyntheticDeps> = {}): Promise<SyntheticServer> {
  const logger = deps.logger ?? deps.kit?.logger ?? createLogger(SERVICE_NAME, config.logLevel);
  const orm = await subgraphOrm(config, SYNTHETIC_DATABASE, deps, logger);
  const pubSub =
    deps.pubSub ??
    createPubSub({
      redisUrl: config.redisUrl,
      prefix: config.redisUrl ? SERVICE_NAME : `${SERVICE_NAME}-${randomUUID()}`,
    });
  const auth = deps.verify ? undefined : await createServiceAuth(config.auth, logger);
  const verify = deps.verify ?? auth!.verify;
  const tokens: ServiceTokenSource =
    deps.tokens ??
    (config.serviceSecret
      ? createServiceTokenSource({
          identityUrl: config.identityUrl,
          service: SERVICE_NAME,
          secret: config.serviceSecret,
        })
      : {
          getToken: () =>
            Promise.reject(
              new DomainError('SERVICE_UNAVAILABLE', 'AIC_SERVICE_SECRET is not set: jobs cannot read datasets'),
            ),
        });
  const jobs = createServiceJobQueue(config, { orm, pubSub, logger });
  const catalog = new CatalogClient(config.catalogUrl);
  const schemas = new SchemasClient(config.schemasUrl);
  // Lineage is the service's own record of the job (reads and writes act for the job's user).
  const lineage = createOpenLineageEmitter({
    catalogUrl: config.catalogUrl,
    producer: SYNTHETIC_PRODUCER,
    authorization: async (organizationId) => `Bearer ${await tokens.getToken(organizationId, LINEAGE_PERMISSIONS)}`,
  });
  const services = createSyntheticServices({
    orm,
    pubSub,
    queue: jobs,
    catalog,
    schemas,
    tokens,
    lineage,
    logger,
    clock: deps.clock ?? systemClock,
    settings: config,
  });
  if (deps.kit?.consume ?? config.jobsConsume)
    jobs.register<SyntheticJobPayload>(SYNTHETIC_JOB, (ctx) => services.runner.run(ctx), {
      concurrency: config.workerConcurrency,
    });
  const schema = await buildSyntheticSchema(pubSub);
  const baseContext = createContextFactory({ orm, verify, logger });
  const server = await createServiceServer<SyntheticContext>({
    name: SERVICE_NAME,
    schema,
    logger,
    production: config.production,
    serviceSecret: config.serviceSecret,
    bodyLimitBytes: config.bodyLimitBytes,
    webSocket: config.webSocket,
    metricsMaxLabelValues: config.metricsMaxLabelValues,
    context: async (input) => Object.assign(await baseContext(input), { services }),
    readinessChecks: [() => pingDatabase(orm)],
    revocations: auth?.revocations,
    onStop: async () => {
      await jobs.close();
      await pubSub.close();
      await orm.close();
    },
  });
  return { server, orm, schema, services, jobs, resume: () => services.jobs.resume(orm.em.fork()) };
}
