import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('defaults to port 4007, BACKWARD, 1 MiB schemas', () => {
    const c = loadConfig({});
    expect([c.port, c.defaultCompatibility, c.maxSchemaBytes, c.parsedCacheSize]).toEqual([
      4007,
      'BACKWARD',
      1024 * 1024,
      500,
    ]);
  });

  it('reads its own settings and refuses an unknown mode', () => {
    const c = loadConfig({
      PORT: '5000',
      AIC_SCHEMAS_DEFAULT_COMPATIBILITY: 'full_transitive',
      AIC_SCHEMAS_MAX_SCHEMA_BYTES: '2048',
    });
    expect([c.port, c.defaultCompatibility, c.maxSchemaBytes]).toEqual([5000, 'FULL_TRANSITIVE', 2048]);
    expect(() => loadConfig({ AIC_SCHEMAS_DEFAULT_COMPATIBILITY: 'SOMETIMES' })).toThrow(
      /AIC_SCHEMAS_DEFAULT_COMPATIBILITY must be one of/,
    );
  });
});
