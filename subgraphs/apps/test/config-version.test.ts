import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/common/invalid-input.error';
import { buildConfigSnapshot, configForRelease } from '../src/config-version/config-snapshot.builder';
import { diffConfig } from '../src/config-version/config.differ';

const schema2020 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    THRESHOLD: { type: 'number', minimum: 0, maximum: 1 },
    LOG_LEVEL: { enum: ['debug', 'info', 'warn', 'error'] },
    CALLBACK_URL: { type: 'string', format: 'uri' },
    FEATURE_STORE_TOKEN: { type: 'string' },
  },
  required: ['THRESHOLD', 'FEATURE_STORE_TOKEN'],
  additionalProperties: false,
};

function problems(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).fields;
  }
  throw new Error('expected an InvalidInputError');
}

describe('buildConfigSnapshot', () => {
  it('sorts entries, keeps secrets as references and checksums the content', () => {
    const a = buildConfigSnapshot(
      [
        { key: 'THRESHOLD', value: 0.82 },
        { key: 'FEATURE_STORE_TOKEN', secret: { name: 'fraud-secrets', key: 'token' } },
        { key: 'LOG_LEVEL', value: 'info' },
      ],
      schema2020,
    );
    expect(a.entries).toEqual([
      { key: 'FEATURE_STORE_TOKEN', kind: 'SECRET', secretName: 'fraud-secrets', secretKey: 'token' },
      { key: 'LOG_LEVEL', kind: 'VALUE', value: 'info' },
      { key: 'THRESHOLD', kind: 'VALUE', value: 0.82 },
    ]);
    const b = buildConfigSnapshot([
      { key: 'LOG_LEVEL', value: 'info' },
      { key: 'FEATURE_STORE_TOKEN', secret: { name: 'fraud-secrets', key: 'token' } },
      { key: 'THRESHOLD', value: 0.82 },
    ]);
    expect(b.checksum).toBe(a.checksum);
    expect(configForRelease(a)).toEqual({
      values: { LOG_LEVEL: 'info', THRESHOLD: '0.82' },
      secrets: [{ key: 'FEATURE_STORE_TOKEN', secretName: 'fraud-secrets', secretKey: 'token' }],
    });
  });

  it('validates values against a JSON Schema, with secrets counted as present strings', () => {
    expect(
      problems(() =>
        buildConfigSnapshot(
          [
            { key: 'THRESHOLD', value: 1.5 },
            { key: 'LOG_LEVEL', value: 'verbose' },
            { key: 'CALLBACK_URL', value: 'not a uri' },
            { key: 'EXTRA', value: true },
          ],
          schema2020,
        ),
      ).map((p) => p.field),
    ).toEqual([
      'values.FEATURE_STORE_TOKEN',
      'values.EXTRA',
      'values.THRESHOLD',
      'values.LOG_LEVEL',
      'values.CALLBACK_URL',
    ]);
  });

  it('accepts draft-07 schemas too', () => {
    const draft7 = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { RETRIES: { type: 'integer' } },
    };
    expect(() => buildConfigSnapshot([{ key: 'RETRIES', value: 3 }], draft7)).not.toThrow();
    expect(problems(() => buildConfigSnapshot([{ key: 'RETRIES', value: 2.5 }], draft7))).toEqual([
      { field: 'values.RETRIES', message: 'must be integer' },
    ]);
  });

  it('refuses secrets in clear without echoing them, duplicate and malformed keys, and entries with both or neither', () => {
    const found = problems(() =>
      buildConfigSnapshot([
        { key: 'DB_PASSWORD', value: 'hunter2' },
        { key: 'A', value: 1 },
        { key: 'A', value: 2 },
        { key: 'bad-key', value: 1 },
        { key: 'B', value: 1, secret: { name: 's', key: 'k' } },
        { key: 'C' },
        { key: 'D', secret: { name: 'Not_A_Name', key: 'k' } },
      ]),
    );
    expect(found.map((p) => p.field)).toEqual([
      'entries.0.value',
      'entries.2.key',
      'entries.3.key',
      'entries.4',
      'entries.5',
      'entries.6.secret.name',
    ]);
    expect(JSON.stringify(found)).not.toContain('hunter2');
  });
});

describe('diffConfig', () => {
  it('lists added, removed and changed keys, including a value turned into a secret reference', () => {
    const v1 = buildConfigSnapshot([
      { key: 'THRESHOLD', value: 0.8 },
      { key: 'LOG_LEVEL', value: 'info' },
      { key: 'API_URL', value: 'https://a.example' },
    ]);
    const v2 = buildConfigSnapshot([
      { key: 'THRESHOLD', value: 0.9 },
      { key: 'LOG_LEVEL', value: 'info' },
      { key: 'API_URL', secret: { name: 'endpoints', key: 'api-url' } },
      { key: 'BATCH', value: { size: 8, delayMs: 2 } },
    ]);
    expect(diffConfig(v1.entries, v2.entries).map((c) => [c.key, c.change])).toEqual([
      ['API_URL', 'CHANGED'],
      ['BATCH', 'ADDED'],
      ['THRESHOLD', 'CHANGED'],
    ]);
    expect(diffConfig(v2.entries, v1.entries).find((c) => c.key === 'BATCH')?.change).toBe('REMOVED');
    expect(diffConfig(v1.entries, v1.entries)).toEqual([]);
  });
});
