import type { BaseServiceConfig, Env } from '../../../lib/src/index';
import { getEnvNum, getEnvStr, loadBaseConfig } from '../../../lib/src/index';
import { SERVICES, localUrl, urlEnvOf } from '../../../lib/contracts/services';

export const SERVICE_NAME = 'synthetic';
export const DEFAULT_PORT = SERVICES.synthetic.port;

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
 * (default: catalog's local URL), `AIC_SCHEMAS_URL` (default: schemas' local URL),
 * `AIC_SYNTHETIC_WORKERS` (default 2) and `AIC_SYNTHETIC_MAX_ROWS` (default 1,000,000).
 */
export function loadConfig(env: Env = process.env): Config {
  return {
    ...loadBaseConfig(env, SERVICE_NAME, DEFAULT_PORT),
    catalogUrl: getEnvStr(env, urlEnvOf('catalog'), localUrl('catalog')),
    schemasUrl: getEnvStr(env, urlEnvOf('schemas'), localUrl('schemas')),
    workerConcurrency: getEnvNum(env, 'AIC_SYNTHETIC_WORKERS', 2),
    maxRows: getEnvNum(env, 'AIC_SYNTHETIC_MAX_ROWS', 1_000_000),
  };
}
