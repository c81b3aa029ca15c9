import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOpenLineageValidator, OpenLineageValidationError } from '../src/openlineage/openlineage.validator';
import { OPENLINEAGE_FIXTURES } from './fixtures';

const validator = createOpenLineageValidator();
const readJson = (p: string): unknown => JSON.parse(fs.readFileSync(p, 'utf8'));
const testsDir = path.join(OPENLINEAGE_FIXTURES, 'tests');
const facetDocs = fs
  .readdirSync(testsDir)
  .filter((d) => fs.statSync(path.join(testsDir, d)).isDirectory())
  .flatMap((d) => fs.readdirSync(path.join(testsDir, d)).map((f) => [d, f] as const));
const exampleEvents = [
  'serde_example_run_event.json',
  'serde_example_job_event.json',
  'serde_example_dataset_event.json',
  'tests/example_full_event.json',
];

const validRun = (): Record<string, any> => ({
  eventTime: '2026-01-01T00:00:00Z',
  eventType: 'COMPLETE',
  producer: 'https://example.com/producer',
  schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  run: { runId: '0190b6a4-8c1e-7c5a-b3f1-1a2b3c4d5e6f' },
  job: { namespace: 'aic', name: 'train' },
  inputs: [{ namespace: 'aic', name: 'raw' }],
  outputs: [{ namespace: 'aic', name: 'clean' }],
});

describe('OpenLineage 2-0-2 validation', () => {
  it('knows every facet schema of the spec', () => {
    const files = fs.readdirSync(path.join(OPENLINEAGE_FIXTURES, 'facets')).map((f) => f.replace(/\.json$/, ''));
    expect(validator.facetSchemaNames().sort()).toEqual(files.sort());
  });

  it.each(facetDocs)('spec test document %s/%s validates', (facet, file) => {
    expect(facetDocs.length).toBeGreaterThan(40);
    expect(validator.checkFacetDocument(facet, readJson(path.join(testsDir, facet, file)))).toEqual([]);
  });

  it.each(exampleEvents)('example event %s validates', (file) => {
    expect(validator.check(readJson(path.join(OPENLINEAGE_FIXTURES, file)))).toEqual([]);
  });

  it('recognises the kind of each example event', () => {
    const kinds = exampleEvents.map((f) => validator.assertValid(readJson(path.join(OPENLINEAGE_FIXTURES, f))).kind);
    expect(kinds).toEqual(['RunEvent', 'JobEvent', 'DatasetEvent', 'RunEvent']);
  });

  it('refuses a facet document that breaks its schema', () => {
    const doc = readJson(path.join(testsDir, 'ColumnLineageDatasetFacet', '1.json')) as any;
    delete doc.columnLineage.fields.NAME.inputFields[0].field;
    expect(validator.checkFacetDocument('ColumnLineageDatasetFacet', doc)).toContainEqual({
      path: '/columnLineage/fields/NAME/inputFields/0/field',
      message: "must have required property 'field'",
    });
  });

  it('refuses malformed events with the path of each problem', () => {
    const e = validRun();
    e.run.runId = 'not-a-uuid';
    e.eventType = 'DONE';
    delete e.job.name;
    e.outputs[0].namespace = 7;
    const err = (() => {
      try {
        validator.assertValid(e);
      } catch (x) {
        return x as OpenLineageValidationError;
      }
      throw new Error('accepted');
    })();
    expect(err).toBeInstanceOf(OpenLineageValidationError);
    const paths = err.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['/run/runId', '/eventType', '/job/name', '/outputs/0/namespace']));
    expect(err.message).toContain('/run/runId must match format "uuid"');
  });

  it('requires the base fields and the base facet fields', () => {
    expect(validator.check({ run: { runId: 'x' } }).map((i) => i.path)).toEqual(
      expect.arrayContaining(['/eventTime', '/producer', '/schemaURL', '/job']),
    );
    const e = validRun();
    e.run.facets = { nominalTime: { nominalStartTime: '2026-01-01T00:00:00Z' } };
    expect(validator.check(e)).toContainEqual({
      path: '/run/facets/nominalTime/_producer',
      message: "must have required property '_producer'",
    });
    expect(validator.check([])).toEqual([{ path: '', message: 'must be object' }]);
  });

  it('checks a facet against the facet schema its _schemaURL names', () => {
    const e = validRun();
    e.outputs[0].facets = {
      schema: {
        _producer: 'https://example.com/p',
        _schemaURL: 'https://openlineage.io/spec/facets/1-1-0/SchemaDatasetFacet.json',
        fields: [{ name: 'id', type: 'string' }, { type: 'int' }],
      },
    };
    expect(validator.check(e)).toEqual([
      { path: '/outputs/0/facets/schema/fields/1/name', message: "must have required property 'name'" },
    ]);
    e.outputs[0].facets.schema.fields.pop();
    expect(validator.check(e)).toEqual([]);
    expect(validator.assertValid(e).event.outputs![0]!.facets!.schema?.fields).toEqual([
      { name: 'id', type: 'string' },
    ]);
  });
});
