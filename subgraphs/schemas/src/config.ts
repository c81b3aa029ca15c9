import type { BaseServiceConfig, Env } from '../../../lib/src/index';
import { getEnvNum, getEnvStr, loadBaseConfig } from '../../../lib/src/index';
import type { CompatibilityMode } from './compatibility/schema-types';
import { COMPATIBILITY_MODES } from './compatibility/schema-types';
import { ConfigError } from '../../../lib/src/index';
import { SERVICES } from '../../../lib/contracts/services';

export const SERVICE_NAME = 'schemas';
export const DEFAULT_PORT = SERVICES.schemas.port;

export interface Config extends BaseServiceConfig {
  /** Compatibility of an organization that never set one (Confluent's default is BACKWARD). */
  defaultCompatibility: CompatibilityMode;
  /** Largest schema text accepted (bytes). */
  maxSchemaBytes: number;
  /** Parsed schemas kept in memory for checks and validation. */
  parsedCacheSize: number;
}

/**
 * Reads the schema registry's settings: the shared ones plus `AIC_SCHEMAS_DEFAULT_COMPATIBILITY`
 * (default BACKWARD), `AIC_SCHEMAS_MAX_SCHEMA_BYTES` (default 1 MiB) and
 * `AIC_SCHEMAS_PARSED_CACHE_SIZE` (default 500).
 */
export function loadConfig(env: Env = process.env): Config {
  const mode = getEnvStr(env, 'AIC_SCHEMAS_DEFAULT_COMPATIBILITY', 'BACKWARD').toUpperCase();
  if (!(COMPATIBILITY_MODES as readonly string[]).includes(mode)) {
    throw new ConfigError(`AIC_SCHEMAS_DEFAULT_COMPATIBILITY must be one of ${COMPATIBILITY_MODES.join(', ')}`);
  }
  return {
    ...loadBaseConfig(env, SERVICE_NAME, DEFAULT_PORT),
    defaultCompatibility: mode as CompatibilityMode,
    maxSchemaBytes: getEnvNum(env, 'AIC_SCHEMAS_MAX_SCHEMA_BYTES', 1024 * 1024),
    parsedCacheSize: getEnvNum(env, 'AIC_SCHEMAS_PARSED_CACHE_SIZE', 500),
  };
}
