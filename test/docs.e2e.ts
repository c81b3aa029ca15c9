// The README's and docs' example operations: all valid against the composed supergraph, and the
// README's sign-in walk-through run for real through the gateway on identity.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { print, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from './support/gateway-harness';
import { startGatewayOver } from './support/gateway-harness';
import type { RunningService } from '../lib/src/testing/harness';
import { gql, startService } from '../lib/src/testing/harness';
import { loadConfig } from '../subgraphs/identity/src/config';
import { createServer } from '../subgraphs/identity/src/server';
import { docFiles, examplesOf, readmeExample } from './docs-examples';

const root = path.resolve(__dirname, '..');

describe('documented examples', () => {
  const api = Supergraph.build(fs.readFileSync(path.join(root, 'supergraph.graphql'), 'utf8'))
    .apiSchema()
    .toGraphQLJSSchema();
  const examples = docFiles().flatMap(examplesOf);

  it('exist', () => {
    expect(examples.length).toBeGreaterThan(5);
  });

  it.each(examples.map((e) => [`${e.file}: ${e.name}`, e] as const))(
    '%s is valid against the supergraph',
    (_label, example) => {
      expect(validate(api, example.document).map((e) => e.message)).toEqual([]);
      expect(print(example.document)).toBeTruthy();
    },
  );
});

describe('README walk-through, run through the gateway', () => {
  const ADMIN = { email: 'owner@example.com', password: 'a strong first password' };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-readme-'));
  let identity: RunningService;
  let gateway: RunningGateway;
  beforeAll(async () => {
    const config = loadConfig({
      AIC_DATA_DIR: dataDir,
      DATABASE_URL: ':memory:',
      LOG_LEVEL: 'silent',
      AIC_ADMIN_EMAIL: ADMIN.email,
      AIC_ADMIN_PASSWORD: ADMIN.password,
    });
    identity = await startService('identity', (await createServer({ ...config, port: 0, host: '127.0.0.1' })).server);
    gateway = await startGatewayOver([identity], {
      auth: {
        jwksUrl: `${identity.url}/.well-known/jwks.json`,
        issuer: config.auth.issuer,
        audience: config.auth.audience,
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await identity?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in, reads me, refreshes, adds a colleague, and gives a program an API key', async () => {
    const run = async (name: string, variables: Record<string, unknown> = {}, token?: string) => {
      const res = await gql(gateway.graphqlUrl, readmeExample(name), variables, token);
      expect(res.errors, name).toBeUndefined();
      return res.data;
    };
    const login = (await run('Login', ADMIN)).login;
    expect(login.user.roles).toEqual(['owner']);
    expect((await run('Me', {}, login.accessToken)).organization.slug).toBe('default');
    const refreshed = (await run('Refresh', { refreshToken: login.refreshToken })).refreshToken;
    expect(refreshed.refreshToken).not.toBe(login.refreshToken);
    expect((await run('AddColleague', {}, refreshed.accessToken)).createUser.roles).toEqual(['data-scientist']);
    const key = (await run('CreateApiKey', {}, refreshed.accessToken)).createApiKey;
    expect((await run('AuthenticateApiKey', { key: key.secret })).authenticateApiKey.expiresIn).toBe(900);
  });
});
