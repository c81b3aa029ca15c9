import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../lib/src/testing/wait-for';
import { compileJsonSchema } from '../src/schema-driven/json-schema.generator';
import { parseCsv, toCsv } from '../src/table/csv.codec';
import { columnValues } from '../src/table/table.types';
import { vegaTable } from './datasets';
import type { SyntheticHarness } from './synthetic.harness';
import { RUNNER, registerDataset, startSynthetic, waitForJob } from './synthetic.harness';

const JOB_FIELDS = `id status progress stage seed rows synthesizer epsilon error attempts
  source { id } output { id } createdBy { id }
  report { id rows
    quality { overall columnShapes columnPairTrends columns { column metric score } pairs { column1 column2 metric score meetsThreshold } }
    privacy { exactMatchCount exactMatchCountModelled dcrBaselineProtection medianDcrSynthetic medianDcrRandom dcrOverfittingProtection piiColumns }
    compliance { sourceDatasetId sourceVersion sourceSha256 synthesizer seed ranBy piiColumns piiHandling differentialPrivacy { epsilon delta mechanism } } }`;

let h: SyntheticHarness;
let ownerToken: string;
let ownerId: string;
let sourceId: string;
let sourceCsv: string;

beforeAll(async () => {
  h = await startSynthetic();
  ownerId = 'owner-1';
  ownerToken = await h.issuer.issue({ sub: ownerId, org: 'org-a', perms: RUNNER });
  const penguins = vegaTable('penguins');
  const { Faker, en, base } = await import('@faker-js/faker');
  const faker = new Faker({ locale: [en, base] });
  faker.seed(77);
  sourceCsv = toCsv({
    columns: ['observer_email', ...penguins.columns],
    rows: penguins.rows.map((row) => [faker.internet.email(), ...row]),
  });
  sourceId = await registerDataset(h, ownerToken, {
    name: 'penguins field notes',
    format: 'CSV',
    content: sourceCsv,
    classification: 'CONFIDENTIAL',
    columns: [{ name: 'observer_email', classification: 'PII' }],
  });
});

afterAll(async () => {
  await h?.stop();
});

describe('synthetic data jobs', () => {
  it('runs a job end to end: progress events, reports, output dataset and lineage in the catalog', async () => {
    let jobId = '';
    let created: any;
    const events = await h.followNext(ownerToken, async () => {
      created = await h.gql(
        'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id status seed } }',
        { i: { sourceDatasetId: sourceId, rows: 20_000, seed: 42, holdoutFraction: 0.25 } },
        ownerToken,
      );
      expect(created.errors).toBeUndefined();
      jobId = created.data.createSyntheticDataJob.id;
      return jobId;
    });
    expect(created.data.createSyntheticDataJob.seed).toBe(42);
    const statuses = events.map((e) => e.status);
    expect(statuses[statuses.length - 1]).toBe('SUCCEEDED');
    expect(statuses).toContain('RUNNING');
    const progress = events.map((e) => e.progress);
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    const job = (
      await h.gql(`query($id: ID!) { syntheticDataJob(id: $id) { ${JOB_FIELDS} } }`, { id: jobId }, ownerToken)
    ).data.syntheticDataJob;
    expect(job).toMatchObject({
      status: 'SUCCEEDED',
      progress: 1,
      stage: 'DONE',
      source: { id: sourceId },
      createdBy: { id: ownerId },
      attempts: 1,
    });
    expect(job.report.rows).toBe(20_000);
    expect(job.report.quality.overall).toBeGreaterThan(0.8);
    expect(job.report.quality.columns.map((c: any) => c.column)).not.toContain('observer_email');
    expect(job.report.privacy).toMatchObject({
      exactMatchCount: 0,
      exactMatchCountModelled: 0,
      piiColumns: ['observer_email'],
    });
    expect(job.report.privacy.dcrOverfittingProtection).toBeGreaterThan(0);
    expect(job.report.compliance).toMatchObject({
      sourceDatasetId: sourceId,
      sourceVersion: 1,
      synthesizer: 'GAUSSIAN_COPULA',
      seed: 42,
      ranBy: ownerId,
      differentialPrivacy: null,
    });
    expect(job.report.compliance.sourceSha256).toMatch(/^[0-9a-f]{64}$/);

    const outputId = job.output.id;
    const meta: any = await (
      await fetch(`${h.catalog.url}/internal/datasets/${outputId}`, {
        headers: { authorization: `Bearer ${ownerToken}` },
      })
    ).json();
    expect(meta).toMatchObject({ classification: 'CONFIDENTIAL', format: 'CSV', latestVersion: { rowCount: 20_000 } });
    expect(meta.columns.find((c: any) => c.name === 'observer_email').classification).toBe('PII');
    const piiReader = await h.issuer.issue({ sub: ownerId, org: 'org-a', perms: [...RUNNER, 'catalog:read-pii'] });
    const output = parseCsv(
      await (
        await fetch(`${h.catalog.url}/internal/datasets/${outputId}/content`, {
          headers: { authorization: `Bearer ${piiReader}` },
        })
      ).text(),
    );
    const realEmails = new Set(columnValues(parseCsv(sourceCsv), 'observer_email'));
    expect(columnValues(output, 'observer_email').filter((e) => realEmails.has(e))).toEqual([]);

    const lineage: any = await fetch(`${h.catalog.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'query($n: String!) { lineage(namespace: "aic://catalog", name: $n, direction: UPSTREAM, depth: 2) { nodes { depth node { kind namespace name } } } }',
        variables: { n: `datasets/${outputId}` },
      }),
    }).then((r) => r.json());
    const nodes = lineage.data.lineage.nodes.map((n: any) => `${n.depth}:${n.node.kind}:${n.node.name}`);
    expect(nodes).toEqual(
      expect.arrayContaining([`1:JOB:synthetic-data-job/${jobId}`, `2:DATASET:datasets/${sourceId}`]),
    );
  });

  it('records epsilon on DP jobs and rejects invalid input with field details', async () => {
    const bad = await h.gql(
      'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id } }',
      { i: { sourceDatasetId: sourceId, rows: 0, synthesizer: 'DP_GAUSSIAN_COPULA' } },
      ownerToken,
    );
    expect(bad.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0].extensions.fields.map((f: any) => f.field).sort()).toEqual(['epsilon', 'rows']);
    const created = await h.gql(
      'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id epsilon delta } }',
      { i: { sourceDatasetId: sourceId, rows: 200, synthesizer: 'DP_GAUSSIAN_COPULA', epsilon: 0.5, seed: 1 } },
      ownerToken,
    );
    expect(created.data.createSyntheticDataJob).toMatchObject({ epsilon: 0.5, delta: 1e-6 });
    const done = await waitForJob(h, created.data.createSyntheticDataJob.id, ownerToken);
    expect(done.status).toBe('SUCCEEDED');
    const report = await h.gql(
      'query($id: ID!) { syntheticDataJob(id: $id) { report { compliance { differentialPrivacy { epsilon delta boundsFromData } } } } }',
      { id: done.id },
      ownerToken,
    );
    expect(report.data.syntheticDataJob.report.compliance.differentialPrivacy).toMatchObject({
      epsilon: 0.5,
      delta: 1e-6,
    });
  });

  it('refuses users without synthetic permissions or without read access to the source', async () => {
    const anonymous = await h.gql('{ syntheticDataJobs { id } }');
    expect(anonymous.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const readOnly = await h.token({ org: 'org-a', perms: ['synthetic:read', 'catalog:read'] });
    const denied = await h.gql(
      'mutation { createSyntheticDataJob(input: { rows: 10, inlineSchema: { type: "JSON", schema: {} } }) { id } }',
      {},
      readOnly,
    );
    expect(denied.errors?.[0].extensions.code).toBe('FORBIDDEN');
    // Same organization, may run jobs, but holds no grant on the CONFIDENTIAL source.
    const stranger = await h.token({ org: 'org-a', perms: RUNNER });
    const refused = await h.gql(
      'mutation($s: ID!) { createSyntheticDataJob(input: { sourceDatasetId: $s, rows: 10 }) { id } }',
      { s: sourceId },
      stranger,
    );
    expect(refused.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const otherOrg = await h.token({ org: 'org-b', perms: RUNNER });
    const jobs = await h.gql('{ syntheticDataJobs { id } }', {}, otherOrg);
    expect(jobs.data.syntheticDataJobs).toEqual([]);
  });

  it('generates schema-driven records that validate against the schema', async () => {
    const schema = {
      type: 'object',
      required: ['id', 'email', 'score', 'tags'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        email: { type: 'string', format: 'email' },
        score: { type: 'integer', minimum: 0, maximum: 100 },
        tags: { type: 'array', items: { enum: ['a', 'b', 'c'] }, minItems: 1 },
        address: { type: 'object', required: ['zip'], properties: { zip: { type: 'string', pattern: '^\\d{5}$' } } },
      },
      additionalProperties: false,
    };
    const created = await h.gql(
      'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id } }',
      { i: { inlineSchema: { type: 'JSON', schema }, rows: 100, seed: 5 } },
      ownerToken,
    );
    const job = await waitForJob(h, created.data.createSyntheticDataJob.id, ownerToken);
    expect(job.status).toBe('SUCCEEDED');
    // Catalog profiles the output, finds the email field and guards it as PII.
    const piiReader = await h.issuer.issue({ sub: ownerId, org: 'org-a', perms: [...RUNNER, 'catalog:read-pii'] });
    const content = await (
      await fetch(`${h.catalog.url}/internal/datasets/${job.output.id}/content`, {
        headers: { authorization: `Bearer ${piiReader}` },
      })
    ).text();
    expect(content).not.toContain('"error"');
    const records = content
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const validate = compileJsonSchema(schema);
    expect(records).toHaveLength(100);
    for (const record of records) expect(validate(record)).toBe(true);
  });

  it('generates Avro records from a registered SchemaVersion', async () => {
    const writer = await h.issuer.issue({
      sub: ownerId,
      org: 'org-a',
      perms: [...RUNNER, 'schemas:read', 'schemas:write', 'catalog:read-pii'],
    });
    const schema = {
      type: 'record',
      name: 'Sensor',
      fields: [
        { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
        { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['TEMP', 'RH'] } },
        { name: 'value', type: ['null', 'double'] },
        { name: 'tags', type: { type: 'array', items: 'string' } },
      ],
    };
    const registered = await fetch(`${h.schemas.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($i: RegisterSchemaInput!) { registerSchema(input: $i) { id } }',
        variables: { i: { subject: 'sensors-value', type: 'AVRO', schema: JSON.stringify(schema) } },
      }),
    }).then((r) => r.json() as Promise<any>);
    const versionId = registered.data.registerSchema.id;
    const noSchemaRead = await h.gql(
      'mutation($v: ID!) { createSyntheticDataJob(input: { schemaVersionId: $v, rows: 5 }) { id } }',
      { v: versionId },
      ownerToken,
    );
    expect(noSchemaRead.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const created = await h.gql(
      'mutation($v: ID!) { createSyntheticDataJob(input: { schemaVersionId: $v, rows: 50, seed: 2 }) { id schemaVersion { id } } }',
      { v: versionId },
      writer,
    );
    expect(created.data.createSyntheticDataJob.schemaVersion).toEqual({ id: versionId });
    const job = await waitForJob(h, created.data.createSyntheticDataJob.id, writer);
    expect(job.status).toBe('SUCCEEDED');
    const content = await (
      await fetch(`${h.catalog.url}/internal/datasets/${job.output.id}/content`, {
        headers: { authorization: `Bearer ${writer}` },
      })
    ).text();
    const type = avro.Type.forSchema(schema as avro.Schema);
    const lines = content.trim().split('\n');
    expect(lines).toHaveLength(50);
    for (const line of lines) expect(type.isValid(type.fromString(line))).toBe(true);
  });

  it('refuses an inline schema whose patterns need backtracking, naming the pattern', async () => {
    const refused = await h.gql(
      'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id } }',
      { i: { inlineSchema: { type: 'JSON', schema: { type: 'string', pattern: '(?=a)b' } }, rows: 3 } },
      ownerToken,
    );
    expect(refused.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'inlineSchema.schema', message: expect.stringMatching(/"\(\?=a\)b" is refused: lookahead/) }],
    });
  });

  it('fails a job whose schema cannot be generated, with an actionable error', async () => {
    const created = await h.gql(
      'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id } }',
      { i: { inlineSchema: { type: 'JSON', schema: { type: 'string', pattern: '\\bword' } }, rows: 3 } },
      ownerToken,
    );
    const job = await waitForJob(h, created.data.createSyntheticDataJob.id, ownerToken);
    expect(job).toMatchObject({ status: 'FAILED', output: null });
    expect(job.error).toMatch(/^schema: pattern .* is not supported for generation: escape \\b$/);
  });

  it('cancels a running job', async () => {
    const created = await h.gql(
      'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id } }',
      { i: { sourceDatasetId: sourceId, rows: 400_000, seed: 3 } },
      ownerToken,
    );
    const id = created.data.createSyntheticDataJob.id;
    await waitFor(
      async () =>
        (await h.gql('query($id: ID!) { syntheticDataJob(id: $id) { status } }', { id }, ownerToken)).data
          .syntheticDataJob.status === 'RUNNING',
      'the job to run',
    );
    const cancelled = await h.gql('mutation($id: ID!) { cancelSyntheticDataJob(id: $id) { id } }', { id }, ownerToken);
    expect(cancelled.errors).toBeUndefined();
    const job = await waitForJob(h, id, ownerToken);
    expect(job.status).toBe('CANCELLED');
    expect(job.output).toBeNull();
    const again = await h.gql('mutation($id: ID!) { cancelSyntheticDataJob(id: $id) { id } }', { id }, ownerToken);
    expect(again.errors?.[0].extensions.code).toBe('JOB_FINISHED');
  });
});
