import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startService, testBaseConfig } from '../../../lib/src/testing/harness';
import { testPostgresDatabase } from '../../../lib/src/testing/postgres';
import type { TestIssuer } from '../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../lib/src/testing/test-issuer';
import type { Config } from '../src/config';
import { createServer } from '../src/server';
import { WRITER } from './schemas.harness';

let issuer: TestIssuer;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-schemas-persist-'));
const pg = testPostgresDatabase('aic_schemas');

beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => {
  await issuer?.close();
  await pg.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const REGISTER =
  'mutation($s: String!, $x: String!) { registerSchema(input: { subject: $s, type: JSON, schema: $x }) { id version } }';
const closed = (props: string[]) =>
  JSON.stringify({
    type: 'object',
    properties: Object.fromEntries(props.map((p) => [p, { type: 'string' }])),
    additionalProperties: false,
  });

describe.each([
  ['SQLite file', () => undefined],
  ['PostgreSQL', () => pg.url],
])('registry on %s', (name, url) => {
  const config = (): Config => ({
    ...testBaseConfig('schemas', {
      dataDir: path.join(dataDir, name.replace(/\W/g, '')),
      databaseUrl: url(),
      auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
    }),
    defaultCompatibility: 'BACKWARD',
    maxSchemaBytes: 64 * 1024,
    parsedCacheSize: 10,
  });

  it('keeps versions, ids and settings across a restart, and checks against them after it', async () => {
    const token = await issuer.issue({ org: `org-${name}`, perms: WRITER });
    const first = await startService('schemas', (await createServer(config())).server);
    const v1 = await gql(first.graphqlUrl, REGISTER, { s: 'kept', x: closed(['a']) }, token);
    await gql(
      first.graphqlUrl,
      'mutation { setSubjectCompatibility(subject: "kept", mode: FULL) { name } }',
      {},
      token,
    );
    await first.stop();
    const second = await startService('schemas', (await createServer(config())).server);
    const listed = await gql(
      second.graphqlUrl,
      '{ subjects { name compatibility versions { id version } } }',
      {},
      token,
    );
    const refused = await gql(second.graphqlUrl, REGISTER, { s: 'kept', x: closed(['a', 'b']) }, token);
    await second.stop();
    expect(listed.data.subjects).toEqual([
      { name: 'kept', compatibility: 'FULL', versions: [{ id: v1.data.registerSchema.id, version: 1 }] },
    ]);
    expect(refused.errors?.[0].extensions.code).toBe('INCOMPATIBLE_SCHEMA');
  });

  it('gives concurrent registrations distinct version numbers and global ids', async () => {
    const token = await issuer.issue({ org: `org-race-${name}`, perms: WRITER });
    const svc = await startService(
      'schemas',
      (await createServer({ ...config(), defaultCompatibility: 'NONE' })).server,
    );
    const results = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((p) => gql(svc.graphqlUrl, REGISTER, { s: 'race', x: closed([p]) }, token)),
    );
    await svc.stop();
    expect(results.map((r) => r.errors)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    const versions = results.map((r) => r.data.registerSchema.version).sort();
    expect(versions).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(results.map((r) => r.data.registerSchema.id)).size).toBe(5);
  });
});
