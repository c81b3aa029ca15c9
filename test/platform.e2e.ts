// End to end through the gateway, on real identity: the flow a newcomer follows after `npm start`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createServiceServer } from '../lib/src/index';
import type { RunningGateway } from './support/gateway-harness';
import { startGatewayOver } from './support/gateway-harness';
import type { RunningService } from '../lib/src/testing/harness';
import { gql, startService } from '../lib/src/testing/harness';
import { loadConfig } from '../subgraphs/identity/src/config';
import { createServer } from '../subgraphs/identity/src/server';

const ADMIN = { email: 'admin@example.com', password: 'correct horse battery' };
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-e2e-'));
let identity: RunningService;
let reviews: RunningService;
let gateway: RunningGateway;
const call = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
  gql(gateway.graphqlUrl, query, variables, token);

/** A test-only subgraph that extends identity's User with a field of its own. */
async function startReviewsSubgraph(): Promise<RunningService> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type User @key(fields: "id") { id: ID! reviewCount: Int! }`),
    resolvers: {
      User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, reviewCount: ref.id.length }) },
    } as any,
  });
  const server = await createServiceServer({
    name: 'reviews',
    schema,
    logger: createLogger('reviews', 'silent'),
    production: false,
    bodyLimitBytes: 100_000,
    context: async () => ({}),
  });
  return startService('reviews', server);
}

beforeAll(async () => {
  const config = loadConfig({
    AIC_DATA_DIR: dataDir,
    DATABASE_URL: ':memory:',
    LOG_LEVEL: 'silent',
    AIC_ADMIN_EMAIL: ADMIN.email,
    AIC_ADMIN_PASSWORD: ADMIN.password,
  });
  const built = await createServer({ ...config, port: 0, host: '127.0.0.1' });
  identity = await startService('identity', built.server);
  reviews = await startReviewsSubgraph();
  gateway = await startGatewayOver([identity, reviews], {
    auth: {
      jwksUrl: `${identity.url}/.well-known/jwks.json`,
      issuer: config.auth.issuer,
      audience: config.auth.audience,
    },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await reviews?.stop();
  await identity?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const LOGIN =
  'mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken refreshToken expiresIn user { id email roles } } }';

describe('platform through the gateway', () => {
  let admin: string;
  let adminRefresh: string;

  it('signs the first-run admin in and answers me', async () => {
    const login = await call(LOGIN, ADMIN);
    expect(login.errors).toBeUndefined();
    expect(login.data.login).toMatchObject({ expiresIn: 900, user: { email: ADMIN.email, roles: ['owner'] } });
    admin = login.data.login.accessToken;
    adminRefresh = login.data.login.refreshToken;
    const me = await call('{ me { email roles } organization { slug } }', {}, admin);
    expect(me.data).toEqual({ me: { email: ADMIN.email, roles: ['owner'] }, organization: { slug: 'default' } });
  });

  it('joins identity User with a field from another subgraph', async () => {
    const me = await call('{ me { id email reviewCount } }', {}, admin);
    expect(me.errors).toBeUndefined();
    expect(me.data.me.reviewCount).toBe(me.data.me.id.length);
  });

  it('creates a user who can sign in, and refuses a viewer with FORBIDDEN', async () => {
    const created = await call(
      'mutation($input: CreateUserInput!) { createUser(input: $input) { id email roles } }',
      { input: { email: 'vi@example.com', name: 'Vi', password: 'viewer password 1', roles: ['viewer'] } },
      admin,
    );
    expect(created.data.createUser).toMatchObject({ email: 'vi@example.com', roles: ['viewer'] });
    const viewerLogin = await call(LOGIN, { email: 'vi@example.com', password: 'viewer password 1' });
    const viewer = viewerLogin.data.login.accessToken;
    expect((await call('{ me { email } }', {}, viewer)).data.me.email).toBe('vi@example.com');
    const refused = await call(
      'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
      { input: { email: 'x@example.com', name: 'X', password: 'another password 1' } },
      viewer,
    );
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', serviceName: 'identity' });
  });

  it('rotates refresh tokens and revokes the family when a rotated token is reused', async () => {
    const REFRESH = 'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }';
    const first = await call(REFRESH, { t: adminRefresh });
    const rotated = first.data.refreshToken.refreshToken;
    expect(rotated).not.toBe(adminRefresh);
    const reuse = await call(REFRESH, { t: adminRefresh });
    expect(reuse.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const afterReuse = await call(REFRESH, { t: rotated });
    expect(afterReuse.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('exchanges an API key for an access token that works through the gateway', async () => {
    // The reuse above ended that session: sign in again.
    admin = (await call(LOGIN, ADMIN)).data.login.accessToken;
    const created = await call(
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }',
      { input: { name: 'pipeline', roles: ['viewer'] } },
      admin,
    );
    const secret = created.data.createApiKey.secret;
    const exchanged = await call('mutation($k: String!) { authenticateApiKey(key: $k) { accessToken expiresIn } }', {
      k: secret,
    });
    expect(exchanged.data.authenticateApiKey.expiresIn).toBe(900);
    const keyToken = exchanged.data.authenticateApiKey.accessToken;
    expect((await call('{ me { email } }', {}, keyToken)).data.me.email).toBe(ADMIN.email);
    // The key carries only the viewer role, whatever its owner holds.
    const limited = await call(
      'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
      { input: { email: 'k@example.com', name: 'K', password: 'key password 123' } },
      keyToken,
    );
    expect(limited.errors?.[0].extensions.code).toBe('FORBIDDEN');
    await call(
      'mutation($id: ID!) { revokeApiKey(id: $id) { id } }',
      { id: created.data.createApiKey.apiKey.id },
      admin,
    );
    const again = await call('mutation($k: String!) { authenticateApiKey(key: $k) { accessToken } }', { k: secret });
    expect(again.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a forged token at the edge', async () => {
    const [h, p] = admin.split('.');
    const res = await call('{ me { email } }', {}, `${h}.${p}.${'A'.repeat(86)}`);
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
