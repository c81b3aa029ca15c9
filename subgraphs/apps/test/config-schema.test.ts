// Config values validated against a JSON Schema registered in the real schemas service, read by apps
// through its internal route as the caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchemas } from '../../schemas/test/schemas.harness';
import type { SchemasHarness } from '../../schemas/test/schemas.harness';
import { ALL_APPS, startApps } from './support/apps.harness';
import type { AppsHarness } from './support/apps.harness';

let schemas: SchemasHarness;
let apps: AppsHarness;

beforeAll(async () => {
  schemas = await startSchemas();
  apps = await startApps(schemas.issuer, { schemasUrl: schemas.service.url });
});

afterAll(async () => {
  await apps?.close();
  await schemas?.stop();
});

const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    THRESHOLD: { type: 'number', minimum: 0, maximum: 1 },
    MODE: { enum: ['batch', 'online'] },
    API_TOKEN: { type: 'string' },
  },
  required: ['THRESHOLD', 'API_TOKEN'],
  additionalProperties: false,
};

describe('config versions against a registered JSON Schema', () => {
  it('accepts values that satisfy the schema and refuses the others with field details', async () => {
    const token = await schemas.token({
      org: 'org-config-schema',
      perms: [...ALL_APPS, 'schemas:read', 'schemas:write'],
    });
    const registered = await schemas.gql(
      'mutation($input: RegisterSchemaInput!) { registerSchema(input: $input) { id } }',
      { input: { subject: 'fraud-config', type: 'JSON', schema: JSON.stringify(configSchema) } },
      token,
    );
    expect(registered.errors).toBeUndefined();
    const schemaVersionId = registered.data.registerSchema.id;
    const app = (await apps.gql('mutation { createApplication(input: { name: "Validated" }) { id } }', {}, token)).data
      .createApplication;
    const create = (entries: unknown[]) =>
      apps.gql(
        'mutation($input: CreateConfigVersionInput!) { createConfigVersion(input: $input) { version schemaVersion { id } entries { key } } }',
        { input: { applicationId: app.id, schemaVersionId, entries } },
        token,
      );
    const ok = await create([
      { key: 'THRESHOLD', value: 0.7 },
      { key: 'MODE', value: 'online' },
      { key: 'API_TOKEN', secret: { name: 'fraud', key: 'api-token' } },
    ]);
    expect(ok.data.createConfigVersion).toEqual({
      version: 1,
      schemaVersion: { id: schemaVersionId },
      entries: [{ key: 'API_TOKEN' }, { key: 'MODE' }, { key: 'THRESHOLD' }],
    });
    const bad = await create([
      { key: 'THRESHOLD', value: 7 },
      { key: 'MODE', value: 'stream' },
    ]);
    expect(bad.errors?.[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [
        { field: 'values.API_TOKEN', message: "must have required property 'API_TOKEN'" },
        { field: 'values.THRESHOLD', message: 'must be <= 1' },
        { field: 'values.MODE', message: 'must be equal to one of the allowed values' },
      ],
    });
    const stranger = await schemas.token({ org: 'org-elsewhere', perms: [...ALL_APPS] });
    const otherApp = (
      await apps.gql('mutation { createApplication(input: { name: "Elsewhere" }) { id } }', {}, stranger)
    ).data.createApplication;
    const foreign = await apps.gql(
      'mutation($input: CreateConfigVersionInput!) { createConfigVersion(input: $input) { id } }',
      { input: { applicationId: otherApp.id, schemaVersionId, entries: [{ key: 'THRESHOLD', value: 0.5 }] } },
      stranger,
    );
    expect(foreign.errors?.[0].extensions.code).toBe('NOT_FOUND');
  });
});
