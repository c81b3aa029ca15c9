import type { BaseServiceConfig, Env } from '../env';
import type { Logger } from '../logger';
import { createLogger } from '../logger';
import { exitOnBootFailure } from '../core/boot';
import type { MikroORM } from '@mikro-orm/core';
import type { JobQueue } from '../jobs';
import { runJobWorkerUntilSignal } from '../jobs/worker-main';
import { serveWorkerHealth } from '../jobs/worker-health';
import type { ServiceServer } from '../server';
import { startTracing } from '../tracing';
import type { SubgraphDatabase } from './database';
import { openSubgraphDatabase } from './database';

/** What the boot sequence reads from a subgraph's configuration. */
export type BootConfig = Pick<
  BaseServiceConfig,
  'serviceName' | 'port' | 'host' | 'drainDelaySeconds' | 'otlpEndpoint' | 'logLevel'
> &
  Partial<Pick<BaseServiceConfig, 'jobsConsume' | 'databaseUrl' | 'dataDir' | 'workerPort'>>;

const consumes = (config: BootConfig): boolean => config.jobsConsume ?? true;

/** What a subgraph's `createServer` returns, as far as the boot sequence is concerned. */
export interface BuiltSubgraph {
  server: ServiceServer;
  /**
   * Picks up the work a previous process left unfinished (queued or running jobs). Called once,
   * after the server listens, so resumed work can call back into this service and is never
   * started twice by two boot paths. @returns anything worth logging (e.g. how many jobs)
   */
  resume?: () => Promise<unknown>;
  /**
   * The service's job queue (lib/src/jobs), when it runs long work. On stop it is closed before the
   * server: running jobs finish their current step and are handed back (never cancelled).
   */
  jobs?: JobQueue;
}

/** Handed to `build`: the service's logger, made from its configuration. */
export interface BootKit {
  logger: Logger;
  /**
   * Whether this process registers job handlers: always in a `worker` process, otherwise
   * `AIC_JOBS_CONSUME` (default true). A process that does not consume still enqueues and cancels.
   */
  consume: boolean;
  /** `api` serves GraphQL (and consumes unless told not to); `worker` only consumes jobs. */
  role: 'api' | 'worker';
  /** The service's database, opened and migrated by the boot sequence (when `SubgraphBoot.database` is given); the server owns it from here and closes it on stop. */
  orm?: MikroORM;
}

export interface SubgraphBoot<C extends BootConfig, B extends BuiltSubgraph> {
  /** The service's name, used for the boot-failure message before its configuration is read. */
  name: string;
  /** Reads and validates the configuration (a `ConfigError` is reported without a stack). */
  loadConfig: (env: Env) => C;
  /** The service's entities and migrations: the boot sequence opens and migrates it before `build` (`kit.orm`). */
  database?: SubgraphDatabase;
  /** Builds the service without listening: services, schema, server (on `kit.orm`). */
  build: (config: C, kit: BootKit) => Promise<B>;
  /** @default process.env */
  env?: Env;
}

export interface RunningSubgraph<C extends BootConfig, B extends BuiltSubgraph> {
  config: C;
  built: B;
  logger: Logger;
  /** The base URL the server listens on. */
  url: string;
  /** Readiness off, `drainDelaySeconds` of draining, server stopped, spans flushed, signal handlers removed. */
  stop: () => Promise<void>;
}

/** Opens and migrates the database (when the subgraph declares one), then builds; the ORM is closed if the build fails. */
async function buildWith<C extends BootConfig, B extends BuiltSubgraph>(
  boot: SubgraphBoot<C, B>,
  config: C,
  logger: Logger,
  kit: Pick<BootKit, 'consume' | 'role'>,
): Promise<B> {
  const orm = boot.database
    ? await openSubgraphDatabase(
        { serviceName: config.serviceName, databaseUrl: config.databaseUrl, dataDir: config.dataDir ?? '.data' },
        boot.database,
        logger,
      )
    : undefined;
  try {
    return await boot.build(config, { logger, ...kit, orm });
  } catch (err) {
    await orm?.close();
    throw err;
  }
}

/**
 * The boot sequence of every subgraph, in one order: configuration → build (ORM and migrations,
 * services, schema, server) → tracing → listen → resume unfinished work → stop on SIGTERM/SIGINT.
 * Nothing is caught here: a failing step rejects (see `runSubgraph` for the process-level form).
 */
export async function bootSubgraph<C extends BootConfig, B extends BuiltSubgraph>(
  boot: SubgraphBoot<C, B>,
): Promise<RunningSubgraph<C, B>> {
  const config = boot.loadConfig(boot.env ?? process.env);
  const logger = createLogger(config.serviceName, config.logLevel);
  const built = await buildWith(boot, config, logger, { consume: consumes(config), role: 'api' });
  // Spans of this service join the caller's trace (the gateway's traceparent) when an OTLP endpoint is set.
  const tracing = config.otlpEndpoint
    ? startTracing({ serviceName: config.serviceName, endpoint: config.otlpEndpoint })
    : undefined;
  const url = await built.server.listen(config.port, config.host);
  logger.info({ url: `${url}/graphql` }, `${config.serviceName} ready`);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      built.server.setReady(false);
      await built.jobs?.close().catch((err: unknown) => logger.error({ err }, 'error while handing jobs back'));
      await new Promise((resolve) => setTimeout(resolve, config.drainDelaySeconds * 1000));
      await built.server.stop().catch((err: unknown) => logger.error({ err }, 'error while stopping'));
      await tracing?.shutdown().catch((err: unknown) => logger.error({ err }, 'error while flushing spans'));
    })());
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'shutting down');
    void stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  if (built.resume) {
    try {
      const resumed = await built.resume();
      if (resumed !== undefined) logger.info({ resumed }, 'resumed unfinished work');
    } catch (error) {
      await stop();
      throw error;
    }
  }
  return { config, built, logger, url, stop };
}

/**
 * A subgraph's `main`: runs `bootSubgraph`; when any step fails, writes "<name> failed to start:
 * <error>" to stderr (SQL values masked, secrets scrubbed, see `describeError`) and exits with
 * status 1 — a boot error is never swallowed.
 */
export function runSubgraph<C extends BootConfig, B extends BuiltSubgraph>(
  boot: SubgraphBoot<C, B>,
): Promise<RunningSubgraph<C, B>> {
  return bootSubgraph(boot).catch(exitOnBootFailure(boot.name));
}

/**
 * A subgraph's `worker` entry point: builds the service with `role: 'worker'` (its handlers
 * registered) but serves no GraphQL; with `AIC_WORKER_PORT` it serves `/health/live`, `/health/ready`
 * and `/metrics` there (lib/src/jobs/worker-health.ts) for probes and Prometheus. On SIGTERM/SIGINT the
 * queue is closed (jobs handed back), then the health server and the service's resources (ORM, pub/sub,
 * through `server.stop()`) are released and the process exits 0. Deploy it apart from the API (which
 * then runs with `AIC_JOBS_CONSUME=false`) to scale work on its own.
 */
export async function bootSubgraphWorker<C extends BootConfig, B extends BuiltSubgraph>(
  boot: SubgraphBoot<C, B>,
  opts: { exit?: (code: number) => void } = {},
): Promise<{ config: C; built: B; logger: Logger; detach: () => void; healthUrl?: string }> {
  const config = boot.loadConfig(boot.env ?? process.env);
  const logger = createLogger(`${config.serviceName}-worker`, config.logLevel);
  const built = await buildWith(boot, config, logger, { consume: true, role: 'worker' });
  const jobs = built.jobs;
  if (!jobs) {
    await built.server.stop();
    throw new Error(`${boot.name} has no jobs to consume`);
  }
  const health =
    config.workerPort === undefined
      ? undefined
      : await serveWorkerHealth(jobs, {
          name: `${config.serviceName}-worker`,
          metrics: built.server.metrics,
          port: config.workerPort,
          host: config.host,
        }).catch(async (error: unknown) => {
          await built.server.stop();
          throw error;
        });
  if (built.resume) await built.resume();
  logger.info({ owner: jobs.owner, health: health?.url }, `${config.serviceName} worker consuming jobs`);
  const detach = runJobWorkerUntilSignal(jobs, {
    logger,
    closers: [...(health ? [health.stop] : []), () => built.server.stop()],
    exit: opts.exit,
  });
  return { config, built, logger, detach, healthUrl: health?.url };
}

/** A subgraph's `worker.ts`: `bootSubgraphWorker`, exiting with status 1 and a clear message when it cannot start. */
export function runSubgraphWorker<C extends BootConfig, B extends BuiltSubgraph>(
  boot: SubgraphBoot<C, B>,
): Promise<{ config: C; built: B; logger: Logger; detach: () => void; healthUrl?: string }> {
  return bootSubgraphWorker(boot).catch(exitOnBootFailure(`${boot.name} worker`));
}
