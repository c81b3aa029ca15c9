// Issue #16, class 2 (ReDoS): every place a user-supplied pattern runs, attacked through the gateway
// as a user would, in dev and production mode. Catastrophic-backtracking patterns meet long
// adversarial inputs: the answer must be right and the service must still answer right after (no
// timing is asserted: on V8's engine these requests never come back). Patterns that need
// backtracking are refused with BAD_USER_INPUT naming the pattern.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../support/platform';
import { startPlatform } from '../support/platform';
import { waitFor } from '../../lib/src/testing/wait-for';

const LONG = 'a'.repeat(30_000);
// Classic exponential/polynomial shapes; each fails on LONG + '!' and matches LONG.
const CATASTROPHIC = [
  '^(a+)+$',
  '^(a|aa)+$',
  '^(a|a?)+$',
  '^(.*a){20}$',
  '^(a*)*$',
  '^([a-z]+)*$',
  '^(\\w+\\s?)*$',
  '^(a|[a-z])+$',
];
const BACKTRACKING: [string, RegExp][] = [
  ['^(?!admin)[a-z]+$', /lookahead/],
  ['(?=.*\\d)', /lookahead/],
  ['(?<=\\$)\\d+', /lookbehind/],
  ['(?<!x)y', /lookbehind/],
  ['^(a+)\\1$', /backreferences/],
  ['^(?<q>["\'])x\\k<q>$', /backreferences/],
];

describe.each([
  { mode: 'dev', production: false },
  { mode: 'production', production: true },
])('user patterns run in linear time ($mode)', ({ production }) => {
  let p: Platform;
  let seq = 0;
  const unique = (prefix: string) => `${prefix}-${production ? 'prod' : 'dev'}-${++seq}`;
  const call = async (query: string, variables: Record<string, unknown> = {}) =>
    p.call(query, variables, p.owner.token);

  beforeAll(async () => {
    p = await startPlatform({ production });
  }, 180_000);
  afterAll(async () => {
    await p?.stop();
  });

  /** The service answers its health check and a GraphQL request through the gateway right after the attack. */
  async function stillServes(service: string) {
    const live = await fetch(`${p.services[service]!.url}/health/live`);
    expect(live.status).toBe(200);
    const me = await call('{ me { email } }');
    expect(me.data?.me.email).toBe(p.owner.email);
  }

  async function register(subject: string, schema: unknown) {
    const res = await call('mutation($i: RegisterSchemaInput!) { registerSchema(input: $i) { id } }', {
      i: { subject, type: 'JSON', schema: JSON.stringify(schema) },
    });
    return res;
  }

  it('schemas: pattern, patternProperties and propertyNames answer correctly on adversarial records', async () => {
    for (const pattern of CATASTROPHIC) {
      const subject = unique('pattern');
      expect((await register(subject, { type: 'string', pattern })).errors).toBeUndefined();
      const validate = (data: unknown) =>
        call(
          `query($d: JSON!) { validateAgainstSchema(subject: "${subject}", data: $d) { valid errors { path message } } }`,
          { d: data },
        );
      expect((await validate(`${LONG}!`)).data?.validateAgainstSchema).toEqual({
        valid: false,
        errors: [{ path: '', message: `must match pattern "${pattern}"` }],
      });
      expect((await validate(LONG)).data?.validateAgainstSchema).toEqual({ valid: true, errors: [] });
    }
    const subject = unique('props');
    expect(
      (
        await register(subject, {
          type: 'object',
          patternProperties: { '^(a+)+$': { type: 'integer' } },
          propertyNames: { pattern: '^(a|aa)+!?$' },
          additionalProperties: false,
        })
      ).errors,
    ).toBeUndefined();
    const res = await call(
      `query($d: JSON!) { validateAgainstSchema(subject: "${subject}", data: $d) { valid errors { path message } } }`,
      { d: { [LONG]: 1, [`${LONG}!`]: 2, [`${LONG}?`]: 3 } },
    );
    expect(res.data?.validateAgainstSchema.valid).toBe(false);
    expect(res.data?.validateAgainstSchema.errors.map((e: any) => e.message).sort()).toEqual([
      'must NOT have additional properties',
      'must NOT have additional properties',
      'must match pattern "^(a|aa)+!?$"',
      'property name must be valid',
    ]);
    await stillServes('schemas');
  });

  it('schemas: compatibility checks match patternProperties against long property names (GraphQL and Confluent REST)', async () => {
    const subject = unique('compat');
    const writer = { type: 'object', properties: { [`${LONG}!`]: { type: 'string' } }, additionalProperties: false };
    expect((await register(subject, writer)).errors).toBeUndefined();
    const reader = { type: 'object', patternProperties: { '^(a+)+$': { type: 'integer' } } };
    const check = await call(`query($i: RegisterSchemaInput!) { checkSchemaCompatibility(input: $i) { compatible } }`, {
      i: { subject, type: 'JSON', schema: JSON.stringify(reader) },
    });
    // The long name does not match the pattern: any string is allowed for it by both, so the reader reads the writer.
    expect(check.data?.checkSchemaCompatibility).toEqual({ compatible: true });
    const rest = await fetch(`${p.gateway.url}/schema-registry/compatibility/subjects/${subject}/versions/latest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.owner.token}`, 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({
        schemaType: 'JSON',
        schema: JSON.stringify({ type: 'object', patternProperties: { '^(a|aa)+!$': { type: 'integer' } } }),
      }),
    });
    // Here the pattern matches the long name: integer is narrower than string, so the writer's data breaks the reader.
    expect({ status: rest.status, body: await rest.json() }).toEqual({ status: 200, body: { is_compatible: false } });
    await stillServes('schemas');
  });

  it('schemas: lookaround and backreferences are refused at registration, through GraphQL and the Confluent API', async () => {
    for (const [pattern, reason] of BACKTRACKING) {
      const res = await register(unique('refused'), { type: 'object', properties: { v: { type: 'string', pattern } } });
      expect(res.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [{ field: 'schema', message: expect.stringMatching(reason) }],
      });
      expect(res.errors?.[0].message).toContain(
        `#/properties/v/pattern: Pattern ${JSON.stringify(pattern)} is refused`,
      );
      const rest = await fetch(`${p.gateway.url}/schema-registry/subjects/${unique('rest')}/versions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.owner.token}`, 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schemaType: 'JSON', schema: JSON.stringify({ patternProperties: { [pattern]: {} } }) }),
      });
      const body = (await rest.json()) as { error_code: number; message: string };
      expect({ status: rest.status, code: body.error_code }).toEqual({ status: 422, code: 42201 });
      expect(body.message).toMatch(reason);
    }
    await stillServes('schemas');
  });

  it('catalog: quality-rule regexes answer correctly on long column values; backtracking regexes are refused', async () => {
    const dataset = (
      await call('mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }', {
        i: { name: unique('regex-ds'), format: 'CSV' },
      })
    ).data!.createDataset;
    const ticket = (
      await call('mutation($i: CreateDatasetUploadInput!) { createDatasetUpload(input: $i) { id url token } }', {
        i: { purpose: 'DATASET_CONTENT', filename: 'v.csv', contentType: 'text/csv' },
      })
    ).data!.createDatasetUpload;
    const put = await fetch(`${p.gateway.url}${new URL(ticket.url).pathname}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ticket.token}`, 'content-type': 'text/csv' },
      body: `id,v\n1,${LONG}!\n2,${LONG}\n3,${LONG}b\n`,
    });
    expect(put.status).toBe(201);
    await call('mutation($d: ID!, $u: ID!) { addDatasetVersion(datasetId: $d, uploadId: $u) { version } }', {
      d: dataset.id,
      u: ticket.id,
    });
    await waitFor(
      async () =>
        (await call('query($id: ID!) { dataset(id: $id) { versions { status } } }', { id: dataset.id })).data?.dataset
          .versions[0]?.status === 'READY',
      'the dataset version to be profiled',
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    for (const regex of CATASTROPHIC) {
      const rule = await call(
        'mutation($d: ID!, $i: QualityRuleInput!) { createQualityRule(datasetId: $d, input: $i) { id } }',
        { d: dataset.id, i: { type: 'columnValuesToMatchRegex', column: 'v', regex } },
      );
      expect(rule.errors).toBeUndefined();
      const run = await call(
        'mutation($d: ID!) { runQualityChecks(datasetId: $d) { results { ruleId passedRows failedRows } } }',
        { d: dataset.id },
      );
      const result = run.data?.runQualityChecks.results.find((r: any) => r.ruleId === rule.data!.createQualityRule.id);
      // Only the all-`a` value matches; `(\w+\s?)*` and `[a-z]` variants also take the trailing b.
      const passing = ['^(\\w+\\s?)*$', '^([a-z]+)*$', '^(a|[a-z])+$'].includes(regex) ? 2 : 1;
      expect({ regex, passedRows: result.passedRows, failedRows: result.failedRows }).toEqual({
        regex,
        passedRows: passing,
        failedRows: 3 - passing,
      });
      await call('mutation($id: ID!) { deleteQualityRule(id: $id) }', { id: rule.data!.createQualityRule.id });
    }
    for (const [regex, reason] of BACKTRACKING) {
      const refused = await call(
        'mutation($d: ID!, $i: QualityRuleInput!) { createQualityRule(datasetId: $d, input: $i) { id } }',
        { d: dataset.id, i: { type: 'columnValuesToMatchRegex', column: 'v', regex } },
      );
      expect(refused.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [{ field: 'regex', message: expect.stringMatching(reason) }],
      });
      expect(refused.errors?.[0].message).toContain(JSON.stringify(regex));
    }
    await stillServes('catalog');
  });

  it('apps: config values are checked against a registered schema pattern on the linear-time engine', async () => {
    const subject = unique('app-config');
    const registered = await call('mutation($i: RegisterSchemaInput!) { registerSchema(input: $i) { id } }', {
      i: {
        subject,
        type: 'JSON',
        schema: JSON.stringify({
          type: 'object',
          properties: { NAME: { type: 'string', pattern: '^(a+)+$' }, TAG: { type: 'string', pattern: '^(a|aa)+$' } },
        }),
      },
    });
    const schemaVersionId = registered.data!.registerSchema.id;
    const app = (
      await call('mutation($i: CreateApplicationInput!) { createApplication(input: $i) { id } }', {
        i: { name: unique('app') },
      })
    ).data!.createApplication;
    const create = (entries: unknown) =>
      call('mutation($i: CreateConfigVersionInput!) { createConfigVersion(input: $i) { version } }', {
        i: { applicationId: app.id, schemaVersionId, entries },
      });
    const refused = await create([
      { key: 'NAME', value: `${LONG}!` },
      { key: 'TAG', value: `${LONG}!` },
    ]);
    expect(refused.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0].extensions.fields).toEqual([
      { field: 'values.NAME', message: 'must match pattern "^(a+)+$"' },
      { field: 'values.TAG', message: 'must match pattern "^(a|aa)+$"' },
    ]);
    const accepted = await create([
      { key: 'NAME', value: LONG },
      { key: 'TAG', value: LONG },
    ]);
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data?.createConfigVersion.version).toBe(1);
    await stillServes('apps');
  });

  it('synthetic: generated records are checked on the linear-time engine; backtracking patterns and unbounded generation are refused', async () => {
    const job = async (schema: unknown) => {
      const created = await call(
        'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id } }',
        { i: { inlineSchema: { type: 'JSON', schema }, rows: 5, seed: 1 } },
      );
      return created;
    };
    const finished = async (id: string) => {
      let state: any;
      await waitFor(
        async () => {
          state = (await call('query($id: ID!) { syntheticDataJob(id: $id) { status error } }', { id })).data
            ?.syntheticDataJob;
          return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(state?.status);
        },
        'the synthetic job to finish',
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      return state;
    };
    // The generator draws from the last pattern (40 a's then '!'); the first pattern must then reject every draw.
    const impossible = await job({ type: 'string', allOf: [{ pattern: '^(a+)+$' }, { pattern: '^a{40}!$' }] });
    expect(impossible.errors).toBeUndefined();
    const failed = await finished(impossible.data!.createSyntheticDataJob.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toContain('must match pattern "^(a+)+$"');
    const fine = await job({
      type: 'object',
      required: ['v'],
      properties: { v: { type: 'string', pattern: '^(a|aa)+$' } },
    });
    expect((await finished(fine.data!.createSyntheticDataJob.id)).status).toBe('SUCCEEDED');
    for (const [pattern, reason] of BACKTRACKING) {
      const refused = await job({ type: 'string', pattern });
      expect(refused.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [{ field: 'inlineSchema.schema', message: expect.stringMatching(reason) }],
      });
    }
    const huge = await job({ type: 'string', pattern: '^(a{1000}){1000}$' });
    expect(huge.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'inlineSchema.schema' }],
    });
    await stillServes('synthetic');
  });
});
