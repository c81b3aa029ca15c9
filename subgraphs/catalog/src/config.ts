import type { BaseServiceConfig, Env } from '../../../lib/src/index';
import { getEnvBool, getEnvNum, loadBaseConfig } from '../../../lib/src/index';
import { SERVICES } from '../../../lib/contracts/services';

export const SERVICE_NAME = 'catalog';
export const DEFAULT_PORT = SERVICES.catalog.port;

export interface Config extends BaseServiceConfig {
  /** Largest dataset content accepted by upload or the internal route (bytes). */
  maxContentBytes: number;
  /** How often retention policies are applied (seconds); 0 turns the schedule off. */
  retentionIntervalSeconds: number;
  /** Rows returned by a preview at most. */
  maxPreviewRows: number;
  /** Content versions profiled at once. */
  profilingConcurrency: number;
  /**
   * OpenLineage ingestion refuses any event that breaks the spec (`AIC_OPENLINEAGE_STRICT=true`).
   * Default false: an event with non-fatal violations (a facet off its schema, a missing producer) is
   * stored and folded into the graph without the offending facets, and answered with warnings.
   */
  openLineageStrict: boolean;
}

/**
 * Reads the catalog's settings: the shared ones plus `AIC_CATALOG_MAX_CONTENT_BYTES` (default 100 MB),
 * `AIC_CATALOG_RETENTION_INTERVAL_SECONDS` (default 3600), `AIC_CATALOG_MAX_PREVIEW_ROWS` (default 100) and
 * `AIC_CATALOG_PROFILING_CONCURRENCY` (default 2) and `AIC_OPENLINEAGE_STRICT` (default false).
 */
export function loadConfig(env: Env = process.env): Config {
  return {
    ...loadBaseConfig(env, SERVICE_NAME, DEFAULT_PORT),
    maxContentBytes: getEnvNum(env, 'AIC_CATALOG_MAX_CONTENT_BYTES', 100 * 1024 * 1024),
    retentionIntervalSeconds: getEnvNum(env, 'AIC_CATALOG_RETENTION_INTERVAL_SECONDS', 3600),
    maxPreviewRows: getEnvNum(env, 'AIC_CATALOG_MAX_PREVIEW_ROWS', 100),
    profilingConcurrency: getEnvNum(env, 'AIC_CATALOG_PROFILING_CONCURRENCY', 2),
    openLineageStrict: getEnvBool(env, 'AIC_OPENLINEAGE_STRICT', false),
  };
}
