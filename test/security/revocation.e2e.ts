// Issue #16, class 3 (revocation) and 7b: every way a session or API key ends refuses its access
// tokens at once everywhere — through the gateway (planned, pass-through, REST, subscriptions) and at
// every subgraph directly — whether revocations travel over identity's stream or Redis, in dev and
// production mode; verifiers started after the revocation refuse too.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createServiceAuth } from '../../lib/src/index';
import { gql, startService } from '../../lib/src/testing/harness';
import { loadConfig as loadIdentityConfig } from '../../subgraphs/identity/src/config';
import { createServer as createIdentity } from '../../subgraphs/identity/src/server';
import type { Platform } from '../support/platform';
import { startPlatform } from '../support/platform';
import {
  ingestLineageUntil,
  notAccepted,
  notRefusedWithin,
  subscribe,
  subscribeMultipart,
  within,
} from './support/revocation-probes';
import { skipWithoutRedis, TEST_REDIS } from '../../lib/src/testing/redis';
import { runtimeEnv } from '../../lib/src/testing/runtime-env';

const REDIS_URL = TEST_REDIS;

const modes = [
  { name: 'identity stream, dev', production: false, redis: false },
  { name: 'identity stream, production', production: true, redis: false },
  { name: 'Redis, dev', production: false, redis: true },
  { name: 'Redis, production', production: true, redis: true },
];

function revocationSuite({ production, redis }: (typeof modes)[number]): void {
  let p: Platform;
  const channel = `test-revocations-${randomUUID()}`;

  beforeAll(async () => {
    p = await startPlatform({ production, env: redis ? { REDIS_URL, AIC_REVOCATION_CHANNEL: channel } : {} });
  });
  afterAll(async () => p?.stop());

  const owner = () => p.owner.token;
  async function member(roles = ['data-scientist']) {
    const email = `m-${randomUUID()}@example.com`;
    const password = `pw-${randomUUID()}`;
    const r = await p.call(
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      { i: { email, name: 'Member', password, roles } },
      owner(),
    );
    expect(r.errors).toBeUndefined();
    return { id: r.data.createUser.id as string, email, password };
  }
  async function signIn(email: string, password: string) {
    const r = await p.call(
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }',
      { e: email, p: password },
    );
    expect(r.errors).toBeUndefined();
    return r.data.login as { accessToken: string; refreshToken: string };
  }
  async function apiKeyToken(userId: string) {
    const created = await p.call(
      'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }',
      { i: { name: `k-${randomUUID().slice(0, 8)}`, userId } },
      owner(),
    );
    expect(created.errors).toBeUndefined();
    const token = await p.call('mutation($k: String!) { authenticateApiKey(key: $k) { accessToken } }', {
      k: created.data.createApiKey.secret,
    });
    return {
      id: created.data.createApiKey.apiKey.id as string,
      token: token.data.authenticateApiKey.accessToken as string,
    };
  }

  it('logout (by access token) refuses the token everywhere within a second', async () => {
    const m = await member();
    const { accessToken } = await signIn(m.email, m.password);
    expect(await notAccepted(p, accessToken)).toEqual([]);
    const out = await p.call('mutation { logout }', {}, accessToken);
    expect(out.data?.logout).toBe(true);
    expect(await notRefusedWithin(p, accessToken)).toEqual([]);
  });

  it('logout by refresh token (no access token sent) refuses the access token too', async () => {
    const m = await member();
    const { accessToken, refreshToken } = await signIn(m.email, m.password);
    expect(await notAccepted(p, accessToken)).toEqual([]);
    expect((await p.call('mutation($r: String) { logout(refreshToken: $r) }', { r: refreshToken })).data?.logout).toBe(
      true,
    );
    expect(await notRefusedWithin(p, accessToken)).toEqual([]);
  });

  it("revokeSession by an admin refuses the member's token; the admin's own stays good", async () => {
    const m = await member();
    const { accessToken } = await signIn(m.email, m.password);
    expect(await notAccepted(p, accessToken)).toEqual([]);
    const sessions = await p.call('query($u: ID) { sessions(userId: $u) { id } }', { u: m.id }, owner());
    expect(sessions.data.sessions).toHaveLength(1);
    expect(
      (
        await p.call(
          'mutation($id: ID!) { revokeSession(id: $id) { revokedAt } }',
          { id: sessions.data.sessions[0].id },
          owner(),
        )
      ).errors,
    ).toBeUndefined();
    expect(await notRefusedWithin(p, accessToken)).toEqual([]);
    expect(await notAccepted(p, owner())).toEqual([]);
  });

  it('changePassword refuses the tokens of the other sessions, not of the one that changed it', async () => {
    const m = await member();
    const current = await signIn(m.email, m.password);
    const other = await signIn(m.email, m.password);
    const changed = await p.call(
      'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }',
      { c: m.password, n: `new-${m.password}` },
      current.accessToken,
    );
    expect(changed.data?.changePassword).toBe(true);
    expect(await notRefusedWithin(p, other.accessToken)).toEqual([]);
    expect(await notAccepted(p, current.accessToken)).toEqual([]);
  });

  it("removeMember refuses the member's session tokens and API-key tokens", async () => {
    const m = await member();
    const session = await signIn(m.email, m.password);
    const key = await apiKeyToken(m.id);
    expect(await notAccepted(p, session.accessToken)).toEqual([]);
    expect(await notAccepted(p, key.token)).toEqual([]);
    expect(
      (await p.call('mutation($u: ID!) { removeMember(userId: $u) }', { u: m.id }, owner())).data?.removeMember,
    ).toBe(true);
    expect(await notRefusedWithin(p, session.accessToken)).toEqual([]);
    expect(await notRefusedWithin(p, key.token)).toEqual([]);
  });

  it("reuse of a rotated refresh token refuses the family's access tokens", async () => {
    const m = await member();
    const first = await signIn(m.email, m.password);
    const next = await p.call('mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken refreshToken } }', {
      r: first.refreshToken,
    });
    const rotated = next.data.refreshToken.accessToken as string;
    expect(await notAccepted(p, rotated)).toEqual([]);
    const reuse = await p.call('mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }', {
      r: first.refreshToken,
    });
    expect(reuse.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await notRefusedWithin(p, rotated)).toEqual([]);
    expect(await notRefusedWithin(p, first.accessToken)).toEqual([]);
  });

  it('revokeApiKey refuses its tokens everywhere, identity included', async () => {
    const m = await member();
    const key = await apiKeyToken(m.id);
    const sibling = await apiKeyToken(m.id);
    expect(await notAccepted(p, key.token)).toEqual([]);
    expect(
      (await p.call('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.id }, owner())).errors,
    ).toBeUndefined();
    expect(await notRefusedWithin(p, key.token)).toEqual([]);
    // Only that key: another key of the same member keeps working.
    expect(await notAccepted(p, sibling.token)).toEqual([]);
  });

  it('revokeRole and deleteRole refuse the tokens issued before; a refreshed token works at once with what is left', async () => {
    const m = await member(['data-scientist', 'viewer']);
    const before = await signIn(m.email, m.password);
    const key = await apiKeyToken(m.id);
    expect(await notAccepted(p, before.accessToken)).toEqual([]);
    const revoked = await p.call(
      'mutation($u: ID!) { revokeRole(userId: $u, role: "data-scientist") { roles } }',
      { u: m.id },
      owner(),
    );
    expect(revoked.data?.revokeRole?.roles).toEqual(['viewer']);
    expect(await notRefusedWithin(p, before.accessToken)).toEqual([]);
    expect(await notRefusedWithin(p, key.token)).toEqual([]);
    const after = await p.call('mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }', {
      r: before.refreshToken,
    });
    const fresh = after.data.refreshToken.accessToken as string;
    expect(await notAccepted(p, fresh)).toEqual([]);
    expect((await p.call('{ me { permissions } }', {}, fresh)).data.me.permissions).not.toContain('models:write');

    const custom = await p.call(
      'mutation($n: String!) { createRole(input: { name: $n, permissions: ["models:read"] }) { id } }',
      { n: `r-${randomUUID().slice(0, 8)}` },
      owner(),
    );
    const n = await member(['viewer']);
    await p.call(
      'mutation($u: ID!, $r: String!) { assignRole(userId: $u, role: $r) { id } }',
      {
        u: n.id,
        r: (await p.call('{ roles { id name } }', {}, owner())).data.roles.find(
          (r: { id: string }) => r.id === custom.data.createRole.id,
        ).name,
      },
      owner(),
    );
    const held = await signIn(n.email, n.password);
    expect(await notAccepted(p, held.accessToken)).toEqual([]);
    expect(
      (await p.call('mutation($id: ID!) { deleteRole(id: $id) { id } }', { id: custom.data.createRole.id }, owner()))
        .errors,
    ).toBeUndefined();
    expect(await notRefusedWithin(p, held.accessToken)).toEqual([]);
    // Other members are untouched.
    expect(await notAccepted(p, owner())).toEqual([]);
  });

  it('open subscriptions of a revoked session end with UNAUTHENTICATED, through the gateway and at the subgraph', async () => {
    const m = await member();
    const { accessToken } = await signIn(m.email, m.password);
    const query = 'subscription { lineageEvents { eventId } }';
    const viaGateway = subscribe(p.gateway.url + '/graphql', accessToken, query);
    const direct = subscribe(p.services.catalog!.graphqlUrl, accessToken, query);
    const multipart = subscribeMultipart(p.gateway.graphqlUrl, accessToken, query);
    try {
      expect(
        await within(5000, () => viaGateway.connected() && direct.connected() && multipart.seen.status === 200),
      ).toBe(true);
      // Every subscription is registered upstream once a lineage event reaches it.
      await ingestLineageUntil(
        p,
        owner(),
        () => viaGateway.seen.data > 0 && direct.seen.data > 0 && multipart.seen.text.includes('eventId'),
      );
      expect(viaGateway.seen.errors).toEqual([]);
      await p.call('mutation { logout }', {}, accessToken);
      const ended = (s: ReturnType<typeof subscribe>) =>
        s.seen.errors.some((e) => e?.extensions?.code === 'UNAUTHENTICATED');
      expect(await within(1000, () => ended(viaGateway) && ended(direct))).toBe(true);
      expect(await within(1000, () => multipart.seen.ended && multipart.seen.text.includes('UNAUTHENTICATED'))).toBe(
        true,
      );
      // A new operation on the gateway connection authenticated before the revocation is refused too.
      const again = subscribe(p.gateway.url + '/graphql', accessToken, query);
      expect(
        await within(
          1000,
          () => again.seen.closed === 4403 || again.seen.errors.some((e) => e?.extensions?.code === 'UNAUTHENTICATED'),
        ),
      ).toBe(true);
      await again.close();
    } finally {
      await viaGateway.close();
      await direct.close();
      await multipart.close();
    }
  });

  it('verifiers started before and after a revocation both refuse (a restart does not forget)', async () => {
    const settings = {
      jwksUrl: `${p.services.identity!.url}/.well-known/jwks.json`,
      issuer: 'aic-identity',
      audience: 'aic-platform',
      revocations: { identityUrl: p.services.identity!.url, redisUrl: redis ? REDIS_URL : undefined, channel },
    };
    const logger = createLogger('verifier-test', 'silent');
    const m = await member();
    const { accessToken } = await signIn(m.email, m.password);
    const before = await createServiceAuth(settings, logger);
    try {
      expect(before.revocations?.loaded()).toBe(true);
      await expect(before.verify(accessToken)).resolves.toMatchObject({ id: m.id });
      await p.call('mutation { logout }', {}, accessToken);
      expect(
        await within(1000, () =>
          before.verify(accessToken).then(
            () => false,
            (e) => e?.extensions?.code === 'UNAUTHENTICATED',
          ),
        ),
      ).toBe(true);
      const after = await createServiceAuth(settings, logger);
      try {
        expect(after.revocations?.loaded()).toBe(true);
        await expect(after.verify(accessToken)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
      } finally {
        await after.close();
      }
    } finally {
      await before.close();
    }
  });
}

describe.each(modes.filter((m) => !m.redis))('revocation ($name)', revocationSuite);
describe.skipIf(skipWithoutRedis('the revocation tests over Redis are')).each(modes.filter((m) => m.redis))(
  'revocation ($name)',
  revocationSuite,
);

describe.each([false, true])('a token a subgraph refuses, with edge verification off (production %s)', (production) => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform({
      production,
      only: ['identity', 'catalog'],
      gateway: { auth: { issuer: 'aic-identity', audience: 'aic-platform' } },
    });
  });
  afterAll(async () => p?.stop());

  it('answers 401 UNAUTHENTICATED on the pass-through and planned paths, never 500', async () => {
    const login = await p.call(
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      { e: p.owner.email, p: p.owner.password },
    );
    const token = login.data.login.accessToken as string;
    expect((await p.call('{ me { id } }', {}, token)).status).toBe(200);
    await p.call('mutation { logout }', {}, token);
    for (const query of [
      '{ me { id } }',
      '{ me { id } organization { id } }',
      'query Named { me { email } }',
      '{ me { id } datasets(first: 1) { totalCount } }',
    ]) {
      // The first request of an operation runs the planned way, the next ones pass through.
      for (let i = 0; i < 3; i++) {
        const r = await p.call(query, {}, token);
        expect({ query, i, status: r.status, code: r.errors?.[0]?.extensions?.code }).toEqual({
          query,
          i,
          status: 401,
          code: 'UNAUTHENTICATED',
        });
      }
    }
  });
});

describe('identity restarts: revocations are kept in its database and followers catch up', () => {
  it('a restarted identity still refuses, serves the list, and a follower reconnects and hears new revocations', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-revoke-'));
    // Production identity keeps its signing keys encrypted with the key-encryption key: the restart needs the same one.
    const env = {
      AIC_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      AIC_ADMIN_EMAIL: 'owner@example.com',
      AIC_ADMIN_PASSWORD: 'a strong first password',
      NODE_ENV: 'production',
      AIC_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    let identity = await createIdentity({ ...loadIdentityConfig(env), port: 0, host: '127.0.0.1' });
    let running = await startService('identity', identity.server);
    const port = new URL(running.url).port;
    const logger = createLogger('verifier-test', 'silent');
    const settings = {
      jwksUrl: `${running.url}/.well-known/jwks.json`,
      issuer: 'aic-identity',
      audience: 'aic-platform',
      revocations: { identityUrl: running.url, channel: 'unused' },
    };
    const follower = await createServiceAuth(settings, logger);
    try {
      const signIn = async () =>
        (
          await gql(
            running.graphqlUrl,
            'mutation { login(email: "owner@example.com", password: "a strong first password") { accessToken } }',
          )
        ).data.login.accessToken as string;
      const owner = await signIn();
      const created = await gql(
        running.graphqlUrl,
        'mutation { createApiKey(input: { name: "nightly" }) { secret apiKey { id } } }',
        {},
        owner,
      );
      const keyToken = (
        await gql(running.graphqlUrl, 'mutation($k: String!) { authenticateApiKey(key: $k) { accessToken } }', {
          k: created.data.createApiKey.secret,
        })
      ).data.authenticateApiKey.accessToken as string;
      expect((await gql(running.graphqlUrl, '{ me { id } }', {}, keyToken)).status).toBe(200);
      await gql(
        running.graphqlUrl,
        'mutation($id: ID!) { revokeApiKey(id: $id) { id } }',
        { id: created.data.createApiKey.apiKey.id },
        owner,
      );
      const refuses = (auth: { verify: (t: string) => Promise<unknown> }, token: string) =>
        auth.verify(token).then(
          () => false,
          (e) => e?.extensions?.code === 'UNAUTHENTICATED',
        );
      expect(await within(1000, () => refuses(follower, keyToken))).toBe(true);

      await running.stop();
      identity = await createIdentity({ ...loadIdentityConfig(env), port: Number(port), host: '127.0.0.1' });
      const url = await identity.server.listen(Number(port), '127.0.0.1');
      running = { name: 'identity', url, graphqlUrl: `${url}/graphql`, stop: () => identity.server.stop() };
      // Also lets the client drop pooled connections to the stopped process.
      expect(
        await within(5000, () =>
          fetch(`${url}/health/ready`).then(
            (r) => r.ok,
            () => false,
          ),
        ),
      ).toBe(true);

      const me = await gql(running.graphqlUrl, '{ me { id } }', {}, keyToken);
      expect({ status: me.status, code: me.errors?.[0]?.extensions?.code }).toEqual({
        status: 401,
        code: 'UNAUTHENTICATED',
      });
      const list = (await (await fetch(`${running.url}/internal/revocations`)).json()) as {
        revocations: { kind: string; id: string }[];
      };
      expect(list.revocations).toContainEqual(
        expect.objectContaining({ kind: 'api_key', id: created.data.createApiKey.apiKey.id }),
      );
      const fresh = await createServiceAuth(settings, logger);
      try {
        expect(await refuses(fresh, keyToken)).toBe(true);
      } finally {
        await fresh.close();
      }
      // The follower that lived through the outage reconnects (backoff at most 5 s) and follows again.
      const session = await signIn();
      await expect(follower.verify(session)).resolves.toBeTruthy();
      await gql(running.graphqlUrl, 'mutation { logout }', {}, session);
      expect(await within(7000, () => refuses(follower, session))).toBe(true);
      expect(await refuses(follower, keyToken)).toBe(true);
    } finally {
      await follower.close();
      await running.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** A port nothing listens on yet. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

describe('a process booted while identity is unreachable', () => {
  const root = path.resolve(__dirname, '..', '..');
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  // Each main.ts as the image runs it: the gateway, and a subgraph (its kit's createServiceAuth waits the same way).
  it.each([
    ['gateway', 'gateway/src/main.ts', { AIC_SUPERGRAPH_PATH: path.join(root, 'k8s/base/gateway/supergraph.graphql') }],
    ['catalog', 'subgraphs/catalog/src/main.ts', { DATABASE_URL: ':memory:' }],
  ] as const)(
    '%s keeps running, not ready, until the revocation list loads, then is ready',
    async (_name, main, env) => {
      const [identityPort, port] = [await freePort(), await freePort()];
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-boot-'));
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, main)], {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          ...runtimeEnv(),
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: String(port),
          LOG_LEVEL: 'warn',
          AIC_DATA_DIR: dataDir,
          AIC_SERVICE_SECRET: randomUUID(),
          AIC_IDENTITY_URL: `http://127.0.0.1:${identityPort}`,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      const status = (p: string) =>
        fetch(`http://127.0.0.1:${port}${p}`).then(
          (r) => r.status,
          () => 0,
        );
      const until = async (what: string, check: () => Promise<boolean>) => {
        const deadline = Date.now() + 60_000;
        while (!(await check())) {
          if (child.exitCode !== null)
            throw new Error(`exited with ${child.exitCode} while waiting for ${what}:\n${out}`);
          if (Date.now() > deadline) throw new Error(`no ${what} within 60 s:\n${out}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      let identity: Awaited<ReturnType<typeof createIdentity>> | undefined;
      try {
        await until('/health/live', async () => (await status('/health/live')) === 200);
        expect(await status('/health/ready')).toBe(503);
        identity = await createIdentity({
          ...loadIdentityConfig({
            AIC_DATA_DIR: dataDir,
            LOG_LEVEL: 'silent',
            AIC_ADMIN_EMAIL: 'owner@example.com',
            AIC_ADMIN_PASSWORD: 'a strong first password',
          }),
          port: identityPort,
          host: '127.0.0.1',
        });
        await identity.server.listen(identityPort, '127.0.0.1');
        await until('readiness once identity answers', async () => (await status('/health/ready')) === 200);
        expect(child.exitCode).toBeNull();
      } finally {
        child.kill('SIGKILL');
        await identity?.server.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
