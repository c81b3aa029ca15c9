import type { MikroORM } from '@mikro-orm/core';
import type { Logger, OpenLineageEmitter, PubSub, ServiceTokenSource } from '../../../lib/src/index';
import type { JobQueue } from '../../../lib/src/jobs';
import type { Clock } from '../../../lib/src/kit/clock';
import type { CatalogClient } from './clients/catalog.client';
import type { SchemasClient } from './clients/schemas.client';
import type { Config } from './config';
import { SyntheticJobRepository } from './job/job.repository';
import { SyntheticJobRunner } from './job/job.runner';
import { SyntheticJobService } from './job/job.service';
import { JobUpdates } from './job/job.updates';
import { SyntheticReportRepository } from './report/report.repository';
import { SyntheticReportService } from './report/report.service';

/** The synthetic subgraph's services, built once per process and shared by every request (`ctx.services`). */
export interface SyntheticServices {
  jobs: SyntheticJobService;
  /** Runs one attempt of a job: the handler of the `synthetic` job kind. */
  runner: SyntheticJobRunner;
  reports: SyntheticReportService;
}

/** The process-wide dependencies the services are built from (server.ts makes them). */
export interface SyntheticServiceDeps {
  orm: MikroORM;
  pubSub: PubSub;
  /** The service's job queue (lib/src/jobs). */
  queue: JobQueue;
  catalog: CatalogClient;
  schemas: SchemasClient;
  /** The synthetic service's own tokens, which background runs read and write with. */
  tokens: ServiceTokenSource;
  lineage: OpenLineageEmitter;
  logger: Logger;
  clock: Clock;
  settings: Pick<Config, 'maxRows'>;
}

/** The composition root: every repository and service of the synthetic subgraph, each built once, wired by constructor. */
export function createSyntheticServices(deps: SyntheticServiceDeps): SyntheticServices {
  const { orm, catalog, schemas, logger, clock } = deps;
  const jobRepository = new SyntheticJobRepository();
  const reportRepository = new SyntheticReportRepository();
  const updates = new JobUpdates(deps.pubSub);
  const runner = new SyntheticJobRunner({
    orm,
    jobs: jobRepository,
    reports: reportRepository,
    catalog,
    schemas,
    tokens: deps.tokens,
    lineage: deps.lineage,
    updates,
    logger,
    clock,
  });
  return {
    jobs: new SyntheticJobService({
      jobs: jobRepository,
      catalog,
      schemas,
      queue: deps.queue,
      updates,
      logger,
      clock,
      maxRows: deps.settings.maxRows,
    }),
    runner,
    reports: new SyntheticReportService(reportRepository),
  };
}
