import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair, type JWK, type KeyLike } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../../../lib/src/testing/harness';
import { startIdentity, type TestIdentity } from './support/test-server';

const ISSUER = 'https://login.corp.example';
const AUDIENCE = 'aic-platform-client';
const EXCHANGE =
  'mutation($t: String!) { exchangeExternalToken(token: $t) { accessToken refreshToken user { id email name roles } organization { slug } } }';

let svc: TestIdentity;
let jwksServer: http.Server;
let jwksUrl: string;
let jwksRequests = 0;
let signingKey: KeyLike;
const kid = 'corp-2026';

/** A token as the corporate provider would issue it (RS256, its own key). */
function providerToken(
  claims: Record<string, unknown>,
  opts: { key?: KeyLike; kid?: string; alg?: string; audience?: string; issuer?: string; expiresIn?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: opts.kid ?? kid })
    .setIssuer(opts.issuer ?? ISSUER)
    .setAudience(opts.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '5m')
    .sign(opts.key ?? signingKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
  jwksServer = http.createServer((req, res) => {
    if (req.url === '/protocol/openid-connect/certs') {
      jwksRequests++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [publicJwk] }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', () => r()));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/protocol/openid-connect/certs`;
  svc = await startIdentity({
    env: {
      AIC_OIDC_PROVIDERS: JSON.stringify([
        {
          name: 'corp',
          issuer: ISSUER,
          jwksUrl,
          audience: AUDIENCE,
          organizationSlug: 'default',
          roleMapping: { 'ml-team': ['ml-engineer'], auditors: ['admin'] },
          defaultRoles: ['viewer'],
        },
      ]),
    },
  });
});

afterAll(async () => {
  await svc?.stop();
  await new Promise<void>((r) => jwksServer?.close(() => r()));
});

describe('external OIDC providers', () => {
  it('verifies a provider token through its JWKS and creates the user with mapped roles on first sight', async () => {
    const token = await providerToken({
      sub: 'u-1001',
      email: 'Ada@Corp.example',
      name: 'Ada Lovelace',
      groups: ['ml-team', 'unmapped'],
    });
    const res = await gql(svc.graphqlUrl, EXCHANGE, { t: token });
    expect(res.errors).toBeUndefined();
    expect(res.data.exchangeExternalToken.user).toMatchObject({
      email: 'ada@corp.example',
      name: 'Ada Lovelace',
      roles: ['ml-engineer', 'viewer'],
    });
    expect(res.data.exchangeExternalToken.organization.slug).toBe('default');
    expect(jwksRequests).toBeGreaterThan(0);
    const access = res.data.exchangeExternalToken.accessToken;
    expect(decodeJwt(access)).toMatchObject({ kind: 'user', roles: ['ml-engineer', 'viewer'], iss: 'aic-identity' });
    const sessions = await gql(svc.graphqlUrl, '{ sessions { method current } }', {}, access);
    expect(sessions.data.sessions).toEqual([{ method: 'oidc:corp', current: true }]);
  });

  it('maps the same subject to the same user and re-syncs provider roles, keeping manual grants', async () => {
    const first = await gql(svc.graphqlUrl, EXCHANGE, {
      t: await providerToken({ sub: 'u-1001', email: 'ada@corp.example', groups: ['ml-team'] }),
    });
    const userId = first.data.exchangeExternalToken.user.id;
    const owner = (await svc.login()).accessToken;
    await gql(
      svc.graphqlUrl,
      'mutation($u: ID!) { assignRole(userId: $u, role: "data-scientist") { id } }',
      { u: userId },
      owner,
    );
    const second = await gql(svc.graphqlUrl, EXCHANGE, {
      t: await providerToken({ sub: 'u-1001', email: 'ada@corp.example', groups: [] }),
    });
    expect(second.data.exchangeExternalToken.user).toMatchObject({ id: userId, roles: ['data-scientist', 'viewer'] });
  });

  it('never links to an existing local account by email unless configured to', async () => {
    const res = await gql(svc.graphqlUrl, EXCHANGE, {
      t: await providerToken({ sub: 'u-evil', email: 'owner@example.com', email_verified: true, groups: ['auditors'] }),
    });
    const user = res.data.exchangeExternalToken.user;
    expect(user.email).toBe('u-evil@corp.external');
    const owner = await svc.login();
    expect(user.id).not.toBe(owner.user.id);
  });

  it.each([
    ['a wrong audience', () => providerToken({ sub: 'u-2' }, { audience: 'someone-else' })],
    ['an unknown issuer', () => providerToken({ sub: 'u-2' }, { issuer: 'https://other-idp.example' })],
    ['an expired token', () => providerToken({ sub: 'u-2' }, { expiresIn: '-1m' })],
    [
      'a key the provider does not publish',
      async () => providerToken({ sub: 'u-2' }, { key: (await generateKeyPair('RS256')).privateKey }),
    ],
    [
      'an algorithm the provider is not trusted for',
      async () =>
        providerToken(
          { sub: 'u-2' },
          { alg: 'HS256', key: new TextEncoder().encode('a-shared-secret-of-32-bytes-long!!') as unknown as KeyLike },
        ),
    ],
    ['garbage', async () => 'not-a-token'],
  ])('refuses %s with UNAUTHENTICATED', async (_name, forge) => {
    const res = await gql(svc.graphqlUrl, EXCHANGE, { t: await forge() });
    expect(res.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(res.data).toBeNull();
  });

  it('records provider sign-ins and rejections in the audit log', async () => {
    const owner = (await svc.login()).accessToken;
    const res = await gql(
      svc.graphqlUrl,
      '{ auditLog(first: 200, filter: { types: ["external.login", "role.assigned", "role.revoked"] }) { nodes { type details } } }',
      {},
      owner,
    );
    const types = res.data.auditLog.nodes.map((n: { type: string }) => n.type);
    expect(types).toEqual(expect.arrayContaining(['external.login', 'role.assigned', 'role.revoked']));
  });
});
