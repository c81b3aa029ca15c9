// Issue #16, 7c: no log line carries SQL parameter values, password hashes, tokens, secrets, private
// keys or Authorization headers. The services log to a captured pino destination (the loggers they
// use in production, at debug level so MikroORM logs every query) while the test provokes database
// errors (a trigger refuses writes), failed sign-ins, bad tokens and wrong secrets; then every
// captured line is searched for what was sent and what the database holds.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../lib/src/index';
import { createLogger } from '../../lib/src/index';
import type { RunningService } from '../../lib/src/testing/harness';
import { gql, startService, testBaseConfig } from '../../lib/src/testing/harness';
import { testPostgresDatabase } from '../../lib/src/testing/postgres';
import type { TestIssuer } from '../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../lib/src/testing/test-issuer';
import { loadConfig as loadIdentityConfig } from '../../subgraphs/identity/src/config';
import { createServer as createIdentity } from '../../subgraphs/identity/src/server';
import { createServer as createSchemas } from '../../subgraphs/schemas/src/server';

const root = path.resolve(__dirname, '..', '..');

/** A logger built exactly as the services build theirs, writing into memory. */
function capturedLogger(service: string): { logger: Logger; text: () => string; lines: () => Record<string, any>[] } {
  const chunks: string[] = [];
  const logger = createLogger(service, 'debug', { write: (line: string) => void chunks.push(line) });
  return {
    logger,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

/** Makes the database refuse writes to `table`, so the next write fails inside the driver. */
async function refuseWrites(
  orm: MikroORM,
  kind: 'sqlite' | 'postgresql',
  table: string,
  op: 'INSERT' | 'UPDATE',
): Promise<() => Promise<void>> {
  const conn = orm.em.getConnection();
  const name = `refuse_${table}_${op.toLowerCase()}`;
  if (kind === 'sqlite') {
    await conn.execute(
      `CREATE TRIGGER ${name} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
    );
    return async () => void (await conn.execute(`DROP TRIGGER ${name}`));
  }
  await conn.execute(
    `CREATE FUNCTION ${name}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql`,
  );
  await conn.execute(`CREATE TRIGGER ${name} BEFORE ${op} ON "${table}" FOR EACH ROW EXECUTE FUNCTION ${name}()`);
  return async () => {
    await conn.execute(`DROP TRIGGER ${name} ON "${table}"`);
    await conn.execute(`DROP FUNCTION ${name}()`);
  };
}

/** Everything that must never appear in a log line, however it was provoked. */
function expectNoSecrets(text: string, secrets: string[]) {
  for (const secret of secrets)
    expect(text.includes(secret), `a log line contains ${JSON.stringify(secret.slice(0, 12))}…`).toBe(false);
  expect(text).not.toMatch(/\$argon2(id|i|d)\$v=/);
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./);
  expect(text).not.toMatch(/Bearer [A-Za-z0-9._-]{12,}/i);
  expect(text).not.toMatch(/\b[0-9a-f]{64}\b/);
}

const postgresDb = testPostgresDatabase('aic_logs');

describe.each([
  { kind: 'sqlite' as const, databaseUrl: undefined },
  { kind: 'postgresql' as const, databaseUrl: postgresDb.url },
])('identity logs on $kind', ({ kind, databaseUrl }) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-logs-'));
  const owner = { email: `owner-${randomUUID()}@example.com`, password: `owner password ${randomUUID()}` };
  const serviceSecret = randomBytes(24).toString('base64url');
  const capture = capturedLogger('identity');
  let identity: RunningService;
  let orm: MikroORM;
  let ownerToken: string;
  let ownerRefresh: string;
  const sent: string[] = [owner.password, serviceSecret];

  beforeAll(async () => {
    const config = loadIdentityConfig({
      AIC_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl ?? '',
      LOG_LEVEL: 'debug',
      AIC_ADMIN_EMAIL: owner.email,
      AIC_ADMIN_PASSWORD: owner.password,
      AIC_SERVICE_SECRET: serviceSecret,
    });
    const built = await createIdentity({ ...config, port: 0, host: '127.0.0.1' }, { logger: capture.logger });
    orm = built.orm;
    identity = await startService('identity', built.server);
    const login = await gql(
      identity.graphqlUrl,
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }',
      { e: owner.email, p: owner.password },
    );
    ownerToken = login.data.login.accessToken;
    ownerRefresh = login.data.login.refreshToken;
    sent.push(ownerToken, ownerRefresh);
  }, 60_000);
  afterAll(async () => {
    await identity?.stop();
    if (kind === 'postgresql') await postgresDb.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("a failed insert (the 7c case: the SQL held the new user's argon2 hash) is logged without any value", async () => {
    const user = {
      email: `grace-${randomUUID()}@example.com`,
      name: `Grace ${randomUUID()}`,
      password: `grace password ${randomUUID()}`,
    };
    sent.push(user.email, user.name, user.password);
    const undo = await refuseWrites(orm, kind, 'users', 'INSERT');
    try {
      const res = await gql(
        identity.graphqlUrl,
        'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
        { i: user },
        ownerToken,
      );
      expect(res.errors?.[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await undo();
    }
    const logged = capture.lines().filter((l) => l.msg === 'internal error');
    expect(logged.length).toBeGreaterThan(0);
    // The statement is still there to debug with, its values are not.
    expect(logged.at(-1)!.err.message).toMatch(/insert into .*users/i);
    expect(logged.at(-1)!.err.message).toContain("'?'");
    expectNoSecrets(capture.text(), sent);
  });

  it('a failed update of a password hash (changePassword) is logged without the old or the new hash', async () => {
    const fresh = `a new password ${randomUUID()}`;
    sent.push(fresh);
    const undo = await refuseWrites(orm, kind, 'users', 'UPDATE');
    try {
      const res = await gql(
        identity.graphqlUrl,
        'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }',
        { c: owner.password, n: fresh },
        ownerToken,
      );
      expect(res.errors?.[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await undo();
    }
    expect(
      capture.lines().filter((l) => l.msg === 'internal error' && /update .*users/i.test(l.err.message)),
    ).not.toHaveLength(0);
    const hashes = (await orm.em.getConnection().execute('select password_hash from users')).map(
      (r: { password_hash: string }) => r.password_hash,
    );
    expect(hashes[0]).toMatch(/^\$argon2/);
    expectNoSecrets(capture.text(), [...sent, ...hashes, ...hashes.map((h: string) => h.split('$').at(-1)!)]);
  });

  it('failed sign-ins, bad tokens, a wrong refresh token, a wrong API key, a wrong service secret and a ticket in a URL leave no trace of what was presented', async () => {
    const wrongPassword = `not the password ${randomUUID()}`;
    const tampered = `${ownerToken.slice(0, -4)}AAAA`;
    const garbage = `not.a.jwt-${randomUUID()}`;
    const wrongKey = `aic_ABCDEFGHIJKL_${randomBytes(32).toString('base64url')}`;
    const wrongSecret = randomBytes(24).toString('base64url');
    // A signed download ticket travels in the URL path, and request lines log paths.
    const ticket = `${Buffer.from(JSON.stringify({ t: 'd', id: randomUUID(), exp: Date.now() + 60_000 })).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    sent.push(wrongPassword, tampered, garbage, wrongKey, wrongSecret, ticket, ticket.split('.')[1]!);
    expect((await fetch(`${identity.url}/downloads/${ticket}`)).status).toBe(404);
    const login = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
    expect(
      (await gql(identity.graphqlUrl, login, { e: owner.email, p: wrongPassword })).errors?.[0].extensions.code,
    ).toBe('UNAUTHENTICATED');
    expect(
      (await gql(identity.graphqlUrl, login, { e: `nobody-${randomUUID()}@example.com`, p: wrongPassword })).errors?.[0]
        .extensions.code,
    ).toBe('UNAUTHENTICATED');
    for (const token of [tampered, garbage])
      expect((await gql(identity.graphqlUrl, '{ me { id } }', {}, token)).status).toBe(401);
    const basic = await fetch(identity.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`admin:${wrongPassword}`).toString('base64')}`,
      },
      body: '{"query":"{ me { id } }"}',
    });
    expect(basic.status).toBeLessThan(500);
    expect(
      (
        await gql(identity.graphqlUrl, 'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }', {
          t: `${ownerRefresh}x`,
        })
      ).errors?.[0].extensions.code,
    ).toBe('UNAUTHENTICATED');
    expect(
      (
        await gql(identity.graphqlUrl, 'mutation($k: String!) { authenticateApiKey(key: $k) { accessToken } }', {
          k: wrongKey,
        })
      ).errors?.[0].extensions.code,
    ).toBe('UNAUTHENTICATED');
    const serviceToken = await fetch(`${identity.url}/internal/service-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-aic-service-secret': wrongSecret },
      body: JSON.stringify({ organizationId: randomUUID(), permissions: ['catalog:read'] }),
    });
    expect(serviceToken.status).toBe(401);
    expect(capture.lines().some((l) => l.msg === 'request' && l.status === 401)).toBe(true);
    expectNoSecrets(capture.text(), sent);
  });

  it('logs queries at debug level with placeholders only: no value of any row, no private signing key', async () => {
    const queries = capture.lines().filter((l) => l.orm && /\[query\]/.test(l.msg));
    expect(queries.some((l) => /insert into .*signing_keys/i.test(l.msg))).toBe(true);
    expect(queries.some((l) => /select .*users/i.test(l.msg))).toBe(true);
    const keys = await orm.em.getConnection().execute('select private_jwk from signing_keys');
    const privateParts = keys.map((k: { private_jwk: unknown }) => {
      const jwk = (typeof k.private_jwk === 'string' ? JSON.parse(k.private_jwk) : k.private_jwk) as Record<
        string,
        string
      >;
      return jwk.d ?? jwk.jwe;
    });
    expect(privateParts.length).toBeGreaterThan(0);
    const emails = (await orm.em.getConnection().execute('select email from users')).map(
      (r: { email: string }) => r.email,
    );
    expectNoSecrets(capture.text(), [...sent, ...privateParts, ...emails]);
  });
});

describe('schemas logs: GraphQL and the Confluent REST API', () => {
  let issuer: TestIssuer;
  let schemas: RunningService;
  let orm: MikroORM;
  const capture = capturedLogger('schemas');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-logs-schemas-'));

  beforeAll(async () => {
    issuer = await startTestIssuer();
    const base = testBaseConfig('schemas', {
      dataDir,
      auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
      serviceSecret: issuer.serviceSecret,
      logLevel: 'debug',
    });
    const built = await createSchemas(
      { ...base, defaultCompatibility: 'BACKWARD', maxSchemaBytes: 256 * 1024, parsedCacheSize: 100 },
      { logger: capture.logger },
    );
    orm = built.orm;
    schemas = await startService('schemas', built.server);
  });
  afterAll(async () => {
    await schemas?.stop();
    await issuer?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('failed writes through GraphQL and REST are logged with the statement and without the values or the token', async () => {
    const token = await issuer.issue({
      sub: randomUUID(),
      org: `org-${randomUUID()}`,
      perms: ['schemas:read', 'schemas:write'],
    });
    const marker = randomUUID();
    // The subject is a path segment of the REST call, and request lines log paths; the schema is not.
    const subject = `orders-${randomUUID()}`;
    const schema = JSON.stringify({
      type: 'record',
      name: 'Order',
      doc: `secret-ish ${marker}`,
      fields: [{ name: 'id', type: 'string' }],
    });
    const undo = await refuseWrites(orm, 'sqlite', 'schema_versions', 'INSERT');
    try {
      const viaGraphql = await gql(
        schemas.graphqlUrl,
        'mutation($i: RegisterSchemaInput!) { registerSchema(input: $i) { id } }',
        { i: { subject, schema } },
        token,
      );
      expect(viaGraphql.errors?.[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
      const viaRest = await fetch(`${schemas.url}/subjects/${subject}-rest/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ schema }),
      });
      expect(viaRest.status).toBe(500);
    } finally {
      await undo();
    }
    const errors = capture.lines().filter((l) => l.level >= 50);
    expect(errors.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['internal error', 'Confluent API request failed']),
    );
    expect(errors.every((l) => /insert into/i.test(l.err.message))).toBe(true);
    expectNoSecrets(capture.text(), [token, marker, createHash('sha256').update(token).digest('hex')]);
  });
});

describe('the logger itself, for whatever a service passes it', () => {
  it('redacts secret-named keys at any depth, serializes nested errors and scrubs secret shapes anywhere', () => {
    const capture = capturedLogger('any');
    const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1c2VyLTEyMyIsIm9yZyI6Im8ifQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
    const hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g';
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+secretsecretsecretsecretsecret\n-----END PRIVATE KEY-----';
    const dbError = Object.assign(
      new Error(
        `insert into "users" ("email", "password_hash") values ('ada@example.com', '${hash}') - duplicate key value violates unique constraint "users_email_unique"`,
      ),
      {
        code: '23505',
        detail: 'Key (email)=(ada@example.com) already exists.',
        sql: "insert into users values ('ada@example.com')",
        parameters: ['ada@example.com'],
      },
    );
    capture.logger.error(
      {
        err: new Error('outer failure', { cause: dbError }),
        request: {
          headers: {
            Authorization: `Bearer ${jwt}`,
            cookie: 'session=abc123',
            'x-aic-service-secret': 'svc-secret-value',
          },
          body: { user: { password: 'hunter2-hunter2', newPassword: 'pw-2', apiKey: 'k-1' } },
        },
        deep: { a: { b: { c: { d: { e: { refreshToken: 'rt-value-123' } } } } } },
        jwk: { kty: 'OKP', crv: 'Ed25519', x: 'publicpart123456', d: 'privatepart123456789' },
        list: [{ privateKey: pem }, `connect to postgresql://aic:pg-password-1@db:5432/identity`],
      },
      `while serving ${jwt} with ${hash} and Bearer ${'z'.repeat(30)} and ${pem}`,
    );
    capture.logger.error(dbError);
    const text = capture.text();
    for (const secret of [
      'hunter2-hunter2',
      'pw-2',
      'k-1',
      'session=abc123',
      'svc-secret-value',
      'rt-value-123',
      'privatepart123456789',
      'secretsecretsecret',
      'pg-password-1',
      'ada@example.com',
      'c2lnbmF0dXJlLWJ5dGVzLWhlcmU',
      'aGFzaGhhc2hoYXNo',
      'z'.repeat(30),
    ]) {
      expect(text.includes(secret), secret).toBe(false);
    }
    const [line, bare] = capture.lines();
    assert.isDefined(line);
    assert.isDefined(bare);
    expect(line.deep.a.b.c.d.e.refreshToken).toBe('[redacted]');
    expect(line.jwk).toMatchObject({ x: 'publicpart123456' });
    expect(line.err.cause.code).toBe('23505');
    expect(line.err.cause.message).toMatch(
      /^insert into "users" \("email", "password_hash"\) values \('\?', '\?'\) - duplicate key .* "users_email_unique"$/,
    );
    expect(line.err.cause.detail).toBe('[redacted]');
    expect(bare.msg).toContain("values ('?', '?')");
  });
});

describe('a service that fails to boot', () => {
  it('prints why on stderr without the password of its database URL', async () => {
    const password = `pg-${randomUUID()}`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--require', 'reflect-metadata', path.join(root, 'subgraphs/identity/src/main.ts')],
      {
        cwd: root,
        env: {
          ...process.env,
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'debug',
          NODE_ENV: 'development',
          AIC_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'aic-boot-')),
          DATABASE_URL: `mysql://aic:${password}@127.0.0.1:1/identity`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain('identity failed to start');
    expect(output).toContain('DATABASE_URL must be');
    expect(output).toContain('mysql://aic:[redacted]@127.0.0.1:1/identity');
    expect(output).not.toContain(password);
  }, 60_000);
});
