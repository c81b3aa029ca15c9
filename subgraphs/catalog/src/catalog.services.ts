import type { MikroORM } from '@mikro-orm/core';
import type { ArtifactStore, Logger, UploadManager } from '../../../lib/src/index';
import type { JobQueue } from '../../../lib/src/jobs';
import type { Clock } from '../../../lib/src/kit/clock';
import type { CatalogMetrics } from './catalog.metrics';
import type { Config } from './config';
import { DatasetContentService } from './dataset/dataset-content.service';
import { DatasetRepository } from './dataset/dataset.repository';
import { DatasetService } from './dataset/dataset.service';
import { ProfilingQueue } from './dataset/profiling.queue';
import { AccessService } from './governance/access.service';
import { GovernanceRepository } from './governance/governance.repository';
import { GovernanceService } from './governance/governance.service';
import { RetentionService } from './governance/retention.service';
import { LineageIngestor } from './lineage/lineage.ingestor';
import { LineageRepository } from './lineage/lineage.repository';
import { LineageService } from './lineage/lineage.service';
import type { OpenLineageValidator } from './openlineage/openlineage.validator';
import { QualityRepository } from './quality/quality.repository';
import { QualityService } from './quality/quality.service';

/** The catalog's services, built once per process and shared by every request (`ctx.services`). */
export interface CatalogServices {
  datasets: DatasetService;
  content: DatasetContentService;
  profiling: ProfilingQueue;
  access: AccessService;
  governance: GovernanceService;
  retention: RetentionService;
  quality: QualityService;
  lineage: LineageService;
}

/** The process-wide dependencies the services are built from (server.ts makes them). */
export interface CatalogServiceDeps {
  orm: MikroORM;
  store: ArtifactStore;
  uploads: UploadManager;
  /** The service's job queue (profiling runs on it). */
  jobs: JobQueue;
  logger: Logger;
  metrics: CatalogMetrics;
  validator: OpenLineageValidator;
  publish: (topic: string, payload: unknown) => void;
  clock: Clock;
  settings: Pick<Config, 'maxContentBytes' | 'maxPreviewRows'> & Partial<Pick<Config, 'openLineageStrict'>>;
}

/** The composition root: every repository and service of the catalog, each built once, wired by constructor. */
export function createCatalogServices(deps: CatalogServiceDeps): CatalogServices {
  const { orm, store, clock } = deps;
  const datasetRepository = new DatasetRepository();
  const governanceRepository = new GovernanceRepository();
  const qualityRepository = new QualityRepository();
  const lineageRepository = new LineageRepository();
  const access = new AccessService(datasetRepository, governanceRepository);
  const retention = new RetentionService(datasetRepository, governanceRepository, store, clock);
  const quality = new QualityService({ access, quality: qualityRepository, datasets: datasetRepository, store, clock });
  const content = new DatasetContentService({
    datasets: datasetRepository,
    governance: governanceRepository,
    quality,
    store,
    maxPreviewRows: deps.settings.maxPreviewRows,
  });
  const profiling = new ProfilingQueue({
    orm,
    jobs: deps.jobs,
    content,
    datasets: datasetRepository,
    logger: deps.logger,
    metrics: deps.metrics,
    publish: deps.publish,
  });
  return {
    datasets: new DatasetService({
      datasets: datasetRepository,
      access,
      content,
      profiling,
      uploads: deps.uploads,
      store,
      maxContentBytes: deps.settings.maxContentBytes,
    }),
    content,
    profiling,
    access,
    governance: new GovernanceService({
      access,
      governance: governanceRepository,
      datasets: datasetRepository,
      retention,
      clock,
    }),
    retention,
    quality,
    lineage: new LineageService({
      lineage: lineageRepository,
      ingestor: new LineageIngestor(lineageRepository, clock),
      access,
      validator: deps.validator,
      metrics: deps.metrics,
      publish: deps.publish,
      strict: deps.settings.openLineageStrict ?? false,
    }),
  };
}
