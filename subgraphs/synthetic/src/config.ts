import type { BaseServiceConfig, Env } from '../../../lib/src/index';
import { getEnvNum, getEnvStr, loadBaseConfig } from '../../../lib/src/index';

export const SERVICE_NAME = 'synthetic';
export const DEFAULT_PORT = 4005;

export interface Config extends BaseServiceConfig {
  /** Catalog base URL (source datasets, output datasets, lineage). */
  catalogUrl: string;
  /** Schema registry base URL (schema-driven jobs). */
  schemasUrl: string;
  /** Jobs run at once in this process. */
  workerConcurrency: number;
  /** Largest number of rows one job may ask for. */
  maxRows: number;
}

/**
 * Reads the synthetic service's settings: the shared ones plus `AIC_CATALOG_URL`
 * (default http://127.0.0.1:4006), `AIC_SCHEMAS_URL` (default http://127.0.0.1:4007),
 * `AIC_SYNTHETIC_WORKERS` (default 2) and `AIC_SYNTHETIC_MAX_ROWS` (default 1,000,000).
 */
export function loadConfig(env: Env = process.env): Config {
  return {
    ...loadBaseConfig(env, SERVICE_NAME, DEFAULT_PORT),
    catalogUrl: getEnvStr(env, 'AIC_CATALOG_URL', 'http://127.0.0.1:4006'),
    schemasUrl: getEnvStr(env, 'AIC_SCHEMAS_URL', 'http://127.0.0.1:4007'),
    workerConcurrency: getEnvNum(env, 'AIC_SYNTHETIC_WORKERS', 2),
    maxRows: getEnvNum(env, 'AIC_SYNTHETIC_MAX_ROWS', 1_000_000),
  };
}
