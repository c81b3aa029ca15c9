import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemasHarness } from './schemas.harness';
import { READER, WRITER, startSchemas } from './schemas.harness';

let h: SchemasHarness;
beforeAll(async () => {
  h = await startSchemas();
});
afterAll(async () => h?.stop());

const REGISTER =
  'mutation($i: RegisterSchemaInput!) { registerSchema(input: $i) { id subject version type fingerprint canonicalSchema references { name subject version } } }';
const CHECK =
  'query($i: RegisterSchemaInput!, $v: Int) { checkSchemaCompatibility(input: $i, version: $v) { compatible mode messages violations { version direction path message } } }';
const VALIDATE =
  'query($s: String!, $v: Int, $d: JSON!) { validateAgainstSchema(subject: $s, version: $v, data: $d) { valid version errors { path message } } }';

const avro = (fields: unknown[]) => JSON.stringify({ type: 'record', name: 'Order', namespace: 'io.aic.shop', fields });
const v1 = avro([
  { name: 'id', type: 'string' },
  { name: 'amount', type: 'int' },
]);
const v2 = avro([
  { name: 'id', type: 'string' },
  { name: 'amount', type: 'long' },
  { name: 'currency', type: 'string', default: 'EUR' },
]);
const bad = avro([
  { name: 'id', type: 'string' },
  { name: 'amount', type: 'long' },
  { name: 'customer', type: 'string' },
]);

describe('registering and evolving schemas', () => {
  it('numbers versions per subject, gives global ids, and is idempotent', async () => {
    const token = await h.token({ perms: WRITER });
    const first = await h.gql(REGISTER, { i: { subject: 'orders-value', type: 'AVRO', schema: v1 } }, token);
    expect(first.errors).toBeUndefined();
    expect(first.data.registerSchema).toMatchObject({
      subject: 'orders-value',
      version: 1,
      type: 'AVRO',
      references: [],
    });
    expect(first.data.registerSchema.id).toMatch(/^\d+$/);
    expect(first.data.registerSchema.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const again = await h.gql(
      REGISTER,
      { i: { subject: 'orders-value', type: 'AVRO', schema: JSON.stringify(JSON.parse(v1), null, 2) } },
      token,
    );
    expect(again.data.registerSchema.id).toBe(first.data.registerSchema.id);
    const second = await h.gql(REGISTER, { i: { subject: 'orders-value', schema: v2 } }, token);
    expect(second.data.registerSchema.version).toBe(2);
    expect(Number(second.data.registerSchema.id)).toBeGreaterThan(Number(first.data.registerSchema.id));
  });

  it('refuses an incompatible change with INCOMPATIBLE_SCHEMA and the reasons', async () => {
    const token = await h.token({ perms: WRITER });
    await h.gql(REGISTER, { i: { subject: 'orders-value', schema: v1 } }, token);
    const res = await h.gql(REGISTER, { i: { subject: 'orders-value', schema: bad } }, token);
    expect(res.data).toBeNull();
    expect(res.errors?.[0].message).toBe(
      'Schema being registered is incompatible with an earlier schema for subject "orders-value" (BACKWARD)',
    );
    expect(res.errors?.[0].extensions).toMatchObject({
      code: 'INCOMPATIBLE_SCHEMA',
      mode: 'BACKWARD',
      reasons: [
        'the new schema cannot read data written with version 1: #/fields/customer field "customer" is missing from the writer and has no default in the reader',
      ],
      violations: [{ version: 1, direction: 'BACKWARD', path: '#/fields/customer' }],
    });
  });

  it('checks compatibility without registering, under the subject mode or against one version', async () => {
    const token = await h.token({ perms: WRITER });
    await h.gql(
      REGISTER,
      {
        i: {
          subject: 's',
          type: 'JSON',
          schema: '{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}',
        },
      },
      token,
    );
    const ok = await h.gql(
      CHECK,
      {
        i: {
          subject: 's',
          type: 'JSON',
          schema:
            '{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"additionalProperties":false}',
        },
      },
      token,
    );
    expect(ok.data.checkSchemaCompatibility).toEqual({
      compatible: true,
      mode: 'BACKWARD',
      messages: [],
      violations: [],
    });
    const open = await h.gql(
      CHECK,
      { i: { subject: 's', type: 'JSON', schema: '{"type":"object","properties":{"a":{"type":"integer"}}}' } },
      token,
    );
    expect(open.data.checkSchemaCompatibility.compatible).toBe(false);
    expect(open.data.checkSchemaCompatibility.violations[0]).toEqual({
      version: 1,
      direction: 'BACKWARD',
      path: '#/properties/a/type',
      message: 'type "string" is allowed by the writer but not by the reader',
    });
    const missing = await h.gql(CHECK, { i: { subject: 's', type: 'JSON', schema: '{}' }, v: 7 }, token);
    expect(missing.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const changedType = await h.gql(CHECK, { i: { subject: 's', type: 'AVRO', schema: '"string"' } }, token);
    expect(changedType.data.checkSchemaCompatibility.messages).toEqual(['the schema type changed from JSON to AVRO']);
  });

  it('rejects invalid schemas and missing references as BAD_USER_INPUT with the field', async () => {
    const token = await h.token({ perms: WRITER });
    const invalid = await h.gql(REGISTER, { i: { subject: 'x', type: 'JSON', schema: '{"type":"strng"}' } }, token);
    expect(invalid.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(invalid.errors?.[0].extensions.fields[0].field).toBe('schema');
    const ref = await h.gql(
      REGISTER,
      {
        i: {
          subject: 'x',
          type: 'JSON',
          schema: '{"$ref":"a.json"}',
          references: [{ name: 'a.json', subject: 'nope', version: 1 }],
        },
      },
      token,
    );
    expect(ref.errors?.[0].message).toBe('Reference "a.json": version 1 of subject "nope" does not exist');
  });

  it("uses another subject's version through references", async () => {
    const token = await h.token({ perms: WRITER });
    await h.gql(
      REGISTER,
      {
        i: {
          subject: 'address',
          type: 'JSON',
          schema: '{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}',
        },
      },
      token,
    );
    const person = await h.gql(
      REGISTER,
      {
        i: {
          subject: 'person',
          type: 'JSON',
          schema: '{"type":"object","properties":{"home":{"$ref":"address.json"}}}',
          references: [{ name: 'address.json', subject: 'address', version: 1 }],
        },
      },
      token,
    );
    expect(person.data.registerSchema.references).toEqual([{ name: 'address.json', subject: 'address', version: 1 }]);
    const res = await h.gql(VALIDATE, { s: 'person', d: { home: { city: 3 } } }, token);
    expect(res.data.validateAgainstSchema).toEqual({
      valid: false,
      version: 1,
      errors: [{ path: '/home/city', message: 'must be string' }],
    });
    const address = await h.gql(
      '{ subject(name: "address") { latestVersion { referencedBy { subject version } } } }',
      {},
      token,
    );
    expect(address.data.subject.latestVersion.referencedBy).toEqual([{ subject: 'person', version: 1 }]);
    const refused = await h.gql('mutation { deleteSubject(subject: "address") }', {}, token);
    expect(refused.errors?.[0].message).toBe('Version 1 of subject "address" is referenced by "person" version 1');
  });
});

describe('compatibility settings', () => {
  it('applies the organization default and a per-subject mode', async () => {
    const token = await h.token({ perms: WRITER });
    await h.gql(REGISTER, { i: { subject: 'm', schema: v1 } }, token);
    expect(
      (
        await h.gql(
          '{ registryConfig { compatibility } subject(name: "m") { compatibility compatibilityOverride } }',
          {},
          token,
        )
      ).data,
    ).toEqual({
      registryConfig: { compatibility: 'BACKWARD' },
      subject: { compatibility: 'BACKWARD', compatibilityOverride: null },
    });
    await h.gql('mutation { setDefaultCompatibility(mode: NONE) { compatibility } }', {}, token);
    expect((await h.gql(REGISTER, { i: { subject: 'm', schema: bad } }, token)).data.registerSchema.version).toBe(2);
    const set = await h.gql(
      'mutation { setSubjectCompatibility(subject: "m", mode: FULL_TRANSITIVE) { name compatibility compatibilityOverride } }',
      {},
      token,
    );
    expect(set.data.setSubjectCompatibility).toEqual({
      name: 'm',
      compatibility: 'FULL_TRANSITIVE',
      compatibilityOverride: 'FULL_TRANSITIVE',
    });
    const refused = await h.gql(REGISTER, { i: { subject: 'm', schema: v2 } }, token);
    expect(refused.errors?.[0].extensions.mode).toBe('FULL_TRANSITIVE');
    const cleared = await h.gql(
      'mutation { setSubjectCompatibility(subject: "m", mode: null) { compatibility } }',
      {},
      token,
    );
    expect(cleared.data.setSubjectCompatibility.compatibility).toBe('NONE');
  });
});

describe('validation, deletes and permissions', () => {
  it('validates records against the latest or a given version', async () => {
    const token = await h.token({ perms: WRITER });
    await h.gql(REGISTER, { i: { subject: 'orders-value', schema: v1 } }, token);
    await h.gql(REGISTER, { i: { subject: 'orders-value', schema: v2 } }, token);
    const reader = await h.token({ perms: READER, org: undefined });
    expect(
      (await h.gql(VALIDATE, { s: 'orders-value', d: { id: 'o1', amount: 3 } }, reader)).errors?.[0].extensions.code,
    ).toBe('NOT_FOUND');
    const latest = await h.gql(VALIDATE, { s: 'orders-value', d: { id: 'o1', amount: 3, currency: 'USD' } }, token);
    expect(latest.data.validateAgainstSchema).toEqual({ valid: true, version: 2, errors: [] });
    const old = await h.gql(VALIDATE, { s: 'orders-value', v: 1, d: { id: 'o1', amount: 'x' } }, token);
    expect(old.data.validateAgainstSchema).toEqual({
      valid: false,
      version: 1,
      errors: [{ path: '/amount', message: '"x" is not a valid "int"' }],
    });
  });

  it('soft-deletes versions and subjects; numbering continues', async () => {
    const token = await h.token({ perms: WRITER });
    await h.gql(REGISTER, { i: { subject: 'd', schema: v1 } }, token);
    const second = await h.gql(REGISTER, { i: { subject: 'd', schema: v2 } }, token);
    expect(
      (await h.gql('mutation { deleteSchemaVersion(subject: "d", version: 2) }', {}, token)).data.deleteSchemaVersion,
    ).toBe(2);
    const after = await h.gql(
      '{ subject(name: "d") { versions { version } all: versions(includeDeleted: true) { version deleted } latestVersion { version } } }',
      {},
      token,
    );
    expect(after.data.subject).toEqual({
      versions: [{ version: 1 }],
      all: [
        { version: 1, deleted: false },
        { version: 2, deleted: true },
      ],
      latestVersion: { version: 1 },
    });
    expect(
      (
        await h.gql(
          'query($id: ID!) { schemaVersion(id: $id) { deleted } }',
          { id: second.data.registerSchema.id },
          token,
        )
      ).data.schemaVersion,
    ).toEqual({ deleted: true });
    expect((await h.gql('mutation { deleteSubject(subject: "d") }', {}, token)).data.deleteSubject).toEqual([1, 2]);
    expect((await h.gql('{ subject(name: "d") { id } subjects { name } }', {}, token)).data).toEqual({
      subject: null,
      subjects: [],
    });
    expect((await h.gql('{ subjects(includeDeleted: true) { name deleted } }', {}, token)).data.subjects).toEqual([
      { name: 'd', deleted: true },
    ]);
    const back = await h.gql(REGISTER, { i: { subject: 'd', schema: v1 } }, token);
    expect(back.data.registerSchema.version).toBe(3);
    const permanent = await h.gql(
      'mutation { deleteSchemaVersion(subject: "d", version: 3, permanent: true) }',
      {},
      token,
    );
    expect(permanent.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    await h.gql('mutation { deleteSchemaVersion(subject: "d", version: 3) }', {}, token);
    expect(
      (await h.gql('mutation { deleteSchemaVersion(subject: "d", version: 3, permanent: true) }', {}, token)).data
        .deleteSchemaVersion,
    ).toBe(3);
    // Global ids are never handed out twice, even after a permanent delete.
    const next = await h.gql(REGISTER, { i: { subject: 'd', schema: v1 } }, token);
    expect(next.data.registerSchema.version).toBe(4);
    expect(Number(next.data.registerSchema.id)).toBeGreaterThan(Number(back.data.registerSchema.id));
  });

  it('needs schemas:write to register and configure, schemas:read to read, and keeps organizations apart', async () => {
    const org = 'org-perm';
    const writer = await h.token({ org, perms: WRITER });
    await h.gql(REGISTER, { i: { subject: 'p', schema: v1 } }, writer);
    const viewer = await h.token({ org, perms: READER, roles: ['viewer'] });
    expect((await h.gql(REGISTER, { i: { subject: 'p', schema: v2 } }, viewer)).errors?.[0].extensions.code).toBe(
      'FORBIDDEN',
    );
    expect(
      (await h.gql('mutation { setSubjectCompatibility(subject: "p", mode: NONE) { name } }', {}, viewer)).errors?.[0]
        .extensions.code,
    ).toBe('FORBIDDEN');
    expect((await h.gql('{ subjects { name } }', {}, viewer)).data.subjects).toEqual([{ name: 'p' }]);
    expect(
      (await h.gql('{ subjects { name } }', {}, await h.token({ org, perms: [] }))).errors?.[0].extensions.code,
    ).toBe('FORBIDDEN');
    expect((await h.gql('{ subjects { name } }')).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const other = await h.token({ org: 'org-other', perms: WRITER });
    expect((await h.gql('{ subject(name: "p") { id } subjects { name } }', {}, other)).data).toEqual({
      subject: null,
      subjects: [],
    });
    expect((await h.gql(VALIDATE, { s: 'p', d: {} }, other)).errors?.[0].extensions.code).toBe('NOT_FOUND');
  });
});
