import type { ArtifactStore, ServiceContext, UploadManager } from '../../../lib/src/index';
import type { CatalogMetrics } from './catalog.metrics';
import type { ProfilingQueue } from './dataset/profiling.queue';
import type { OpenLineageValidator } from './openlineage/openlineage.validator';

/** The catalog's own request dependencies, built once in createServer. */
export interface CatalogServices {
  store: ArtifactStore;
  uploads: UploadManager;
  validator: OpenLineageValidator;
  profiling: ProfilingQueue;
  metrics: CatalogMetrics;
  publish(topic: string, payload: unknown): void;
  maxPreviewRows: number;
  maxContentBytes: number;
}

export interface CatalogContext extends ServiceContext {
  catalog: CatalogServices;
}

export const LINEAGE_EVENT_TOPIC = 'CATALOG_LINEAGE_EVENT';
