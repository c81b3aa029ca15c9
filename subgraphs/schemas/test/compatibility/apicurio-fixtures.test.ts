import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APICURIO_FIXTURES } from '../../../../test/fixtures';
import { AvroFormat } from '../../src/compatibility/avro.format';
import { JsonSchemaFormat } from '../../src/compatibility/json-schema.format';
import type { ParsedSchema, SchemaFormat } from '../../src/compatibility/schema-types';

interface FixtureCase {
  id: string;
  enabled: boolean;
  compatibility: 'backward' | 'both' | 'none';
  original: unknown;
  updated: unknown;
}

const fixtures = APICURIO_FIXTURES;
const load = (file: string): FixtureCase[] =>
  (JSON.parse(fs.readFileSync(path.join(fixtures, file), 'utf8')) as { tests: FixtureCase[] }).tests;

/** Apicurio's reading of a case: `backward` = backward only, `both` = backward and forward, `none` = neither. */
function verdict<P extends ParsedSchema>(format: SchemaFormat<P>, original: unknown, updated: unknown): string {
  const o = format.parse(JSON.stringify(original));
  const u = format.parse(JSON.stringify(updated));
  const backward = format.readerIncompatibilities(u, o).length === 0;
  const forward = format.readerIncompatibilities(o, u).length === 0;
  if (backward && forward) return 'both';
  if (backward) return 'backward';
  return forward ? 'forward' : 'none';
}

describe('Apicurio JSON Schema compatibility cases', () => {
  const cases = load('jsonschema-compatibility-test-data.json');
  const format = new JsonSchemaFormat();

  it('has all 145 cases', () => {
    expect(cases).toHaveLength(145);
  });

  it.each(cases.map((c, i) => [`${i}: ${c.id}`, c] as const))('%s', (_name, c) => {
    expect(verdict(format, c.original, c.updated)).toBe(c.compatibility);
  });
});

describe('Apicurio Avro compatibility cases', () => {
  const cases = load('avro-compatibility-test-data.json');
  const format = new AvroFormat();

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_name, c) => {
    expect(verdict(format, c.original, c.updated)).toBe(c.compatibility);
  });
});
