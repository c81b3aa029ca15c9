import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../../test/support/gateway-harness';
import { startGatewayOver } from '../../../test/support/gateway-harness';
import { gql } from '../../../lib/src/testing/harness';
import type { SchemasHarness } from './schemas.harness';
import { READER, WRITER, startSchemas } from './schemas.harness';

let h: SchemasHarness;
let gateway: RunningGateway;
beforeAll(async () => {
  h = await startSchemas();
  gateway = await startGatewayOver([h.service], {
    auth: { jwksUrl: h.issuer.jwksUrl, issuer: h.issuer.issuer, audience: h.issuer.audience },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await h?.stop();
});

/** The guide's GraphQL examples in order; a `# expect: CODE` first line means the operation must fail with CODE. */
function examples(): { name: string; query: string; expect?: string }[] {
  const doc = fs.readFileSync(path.join(__dirname, '../../../docs/api/schemas.md'), 'utf8');
  return [...doc.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => {
    const query = m[1]!;
    const expectCode = /^# expect: (\w+)/.exec(query)?.[1];
    const name = /(?:query|mutation) (\w+)/.exec(query)?.[1] ?? 'anonymous';
    return { name, query, expect: expectCode };
  });
}

describe('the API guide, through the gateway', () => {
  it('runs every example operation of docs/api/schemas.md', async () => {
    const token = await h.token({ perms: WRITER });
    const all = examples();
    expect(all.length).toBeGreaterThan(10);
    const answers: Record<string, any> = {};
    for (const ex of all) {
      const res = await gql(gateway.graphqlUrl, ex.query, {}, token);
      if (ex.expect) expect(res.errors?.[0].extensions.code, ex.name).toBe(ex.expect);
      else expect(res.errors, ex.name).toBeUndefined();
      answers[ex.name] = res.data ?? res.errors;
    }
    expect(answers.RegisterV1.registerSchema.version).toBe(1);
    expect(answers.RegisterV2.registerSchema.version).toBe(2);
    expect(answers.RegisterBreaking[0].extensions.reasons).toEqual([
      'the new schema cannot read data written with version 2: #/fields/customer field "customer" is missing from the writer and has no default in the reader',
    ]);
    expect(answers.CheckCandidate.checkSchemaCompatibility).toEqual({
      compatible: true,
      mode: 'BACKWARD',
      messages: [],
    });
    expect(answers.ValidateGood.validateAgainstSchema).toEqual({ valid: true, version: 2, errors: [] });
    expect(answers.ValidateBad.validateAgainstSchema).toEqual({
      valid: false,
      errors: [{ path: '/amount', message: '"a lot" is not a valid "int"' }],
    });
    expect(answers.CheckOpenModel.checkSchemaCompatibility.compatible).toBe(false);
    expect(answers.CheckOpenModel.checkSchemaCompatibility.violations).toContainEqual({
      path: '#/properties/age/type',
      message: 'type "string" is allowed by the writer but not by the reader',
    });
    expect(answers.SetSubjectMode.setSubjectCompatibility).toEqual({
      name: 'orders-value',
      compatibility: 'FULL',
      compatibilityOverride: 'FULL',
    });
    expect(answers.RegisterWithReference.registerSchema).toEqual({
      version: 1,
      references: [{ name: 'customer.json', subject: 'customer', version: 1 }],
    });
    expect(answers.Subjects.subjects.map((s: any) => s.name)).toEqual(['customer', 'invoice', 'orders-value']);
    expect(answers.DeleteVersion.deleteSchemaVersion).toBe(2);
  });

  it('keeps viewers from registering and other organizations from seeing the subject', async () => {
    const org = 'org-gw';
    const writer = await h.token({ org, perms: WRITER });
    const reg = await gql(
      gateway.graphqlUrl,
      'mutation { registerSchema(input: { subject: "gw", type: JSON, schema: "{\\"type\\":\\"string\\"}" }) { id version } }',
      {},
      writer,
    );
    expect(reg.data.registerSchema.version).toBe(1);
    const viewer = await h.token({ org, roles: ['viewer'], perms: READER });
    const denied = await gql(
      gateway.graphqlUrl,
      'mutation { registerSchema(input: { subject: "gw", type: JSON, schema: "{}" }) { id } }',
      {},
      viewer,
    );
    expect(denied.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', serviceName: 'schemas' });
    const ok = await gql(
      gateway.graphqlUrl,
      'query { validateAgainstSchema(subject: "gw", data: "text") { valid } }',
      {},
      viewer,
    );
    expect(ok.data.validateAgainstSchema.valid).toBe(true);
    const stranger = await h.token({ org: 'org-gw-other', perms: WRITER });
    const hidden = await gql(
      gateway.graphqlUrl,
      'query($id: ID!) { subject(name: "gw") { id } subjects { name } schemaVersion(id: $id) { id } }',
      { id: reg.data.registerSchema.id },
      stranger,
    );
    expect(hidden.data).toEqual({ subject: null, subjects: [], schemaVersion: null });
  });
});
