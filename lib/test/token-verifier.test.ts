import { randomUUID } from 'node:crypto';
import type { KeyLike } from 'jose';
import { SignJWT, createRemoteJWKSet, exportJWK, generateKeyPair } from 'jose';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TokenVerifier } from '../src/auth/token-verifier';
import { bearerToken, createTokenVerifier } from '../src/auth/token-verifier';

// Real keys and a real JWKS server: the verifier is attacked the ways RFC 8725 lists.
let server: http.Server;
let verify: TokenVerifier;
let key: KeyLike;
let otherKey: KeyLike;
const kid = randomUUID();
const ISS = 'aic-identity';
const AUD = 'aic-platform';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const claims = () => ({ org: 'o1', roles: ['viewer'], perms: ['models:read'], kind: 'user' });
const good = (
  overrides: { header?: Record<string, unknown>; iss?: string; aud?: string; exp?: number; signWith?: KeyLike } = {},
) =>
  new SignJWT(claims())
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt', ...overrides.header } as any)
    .setIssuer(overrides.iss ?? ISS)
    .setAudience(overrides.aud ?? AUD)
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime(overrides.exp ?? Math.floor(Date.now() / 1000) + 600)
    .sign(overrides.signWith ?? key);

beforeAll(async () => {
  const signing = (await generateKeyPair('EdDSA', { crv: 'Ed25519' })) as { privateKey: KeyLike; publicKey: KeyLike };
  key = signing.privateKey;
  otherKey = ((await generateKeyPair('EdDSA', { crv: 'Ed25519' })) as { privateKey: KeyLike }).privateKey;
  const jwk = { ...(await exportJWK(signing.publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  verify = createTokenVerifier({
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    issuer: ISS,
    audience: AUD,
  });
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

const rejects = async (token: string) => {
  await expect(verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
};

describe('token verifier', () => {
  it('accepts a valid token and builds the viewer', async () => {
    const viewer = await verify(await good());
    expect(viewer).toMatchObject({
      id: 'user-1',
      organizationId: 'o1',
      roles: ['viewer'],
      permissions: ['models:read'],
      kind: 'user',
    });
  });

  it('rejects alg none', async () => {
    const t = await good();
    const [, payload] = t.split('.');
    await rejects(`${b64({ alg: 'none', typ: 'at+jwt', kid })}.${payload}.`);
  });

  it('rejects a symmetric algorithm keyed with the public key (algorithm confusion)', async () => {
    const { createHmac } = await import('node:crypto');
    const t = await good();
    const [, payload] = t.split('.');
    const header = b64({ alg: 'HS256', typ: 'at+jwt', kid });
    const sig = createHmac('sha256', 'public-key-bytes').update(`${header}.${payload}`).digest('base64url');
    await rejects(`${header}.${payload}.${sig}`);
  });

  it('rejects wrong audience, issuer and typ', async () => {
    await rejects(await good({ aud: 'someone-else' }));
    await rejects(await good({ iss: 'https://evil.example' }));
    await rejects(await good({ header: { typ: 'JWT' } }));
  });

  it('rejects expired tokens', async () => {
    await rejects(await good({ exp: Math.floor(Date.now() / 1000) - 120 }));
  });

  it('rejects an unknown kid and a key that is not published', async () => {
    await rejects(await good({ header: { kid: 'unknown-kid' } }));
    await rejects(await good({ signWith: otherKey }));
  });

  it('rejects a tampered payload', async () => {
    const [h, , s] = (await good()).split('.');
    await rejects(
      `${h}.${b64({ ...claims(), perms: ['*'], sub: 'user-1', iss: ISS, aud: AUD, exp: Math.floor(Date.now() / 1000) + 600, iat: Math.floor(Date.now() / 1000) })}.${s}`,
    );
  });

  it('parses bearer headers strictly', () => {
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(() => bearerToken('Basic abc')).toThrow();
  });

  describe('cache of verified tokens', () => {
    // A key source that counts how often a signature is checked, over the same published key.
    const counting = async (opts: { ttlMs?: number; maxEntries?: number } | false = {}) => {
      const remote = createRemoteJWKSet(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`));
      let checks = 0;
      const verifier = createTokenVerifier({
        getKey: (h, t) => ((checks += 1), remote(h, t)),
        issuer: ISS,
        audience: AUD,
        cache: opts,
      });
      return { verifier, checks: () => checks };
    };

    it('checks a token once and answers repeats from the cache, each with its own viewer copy', async () => {
      const { verifier, checks } = await counting();
      const token = await good();
      const first = await verifier(token);
      first.permissions.push('*');
      const second = await verifier(token);
      expect(checks()).toBe(1);
      expect(second.permissions).toEqual(['models:read']);
      await verifier(await good({ exp: Math.floor(Date.now() / 1000) + 601 }));
      expect(checks()).toBe(2);
    });

    it('never answers a cached token after its expiry, nor after the ttl without a new check', async () => {
      const { verifier, checks } = await counting({ ttlMs: 300 });
      const shortLived = await good({ exp: Math.floor(Date.now() / 1000) + 2 });
      await verifier(shortLived);
      // The clock moves on (only Date is faked: the signature checks still run for real).
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
      try {
        vi.setSystemTime(Date.now() + 350);
        await verifier(shortLived);
        expect(checks()).toBe(2);
        vi.setSystemTime(Date.now() + 2100);
        await expect(verifier(shortLived)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
      } finally {
        vi.useRealTimers();
      }
    });

    it('keeps no more than maxEntries tokens and does not cache failures', async () => {
      const { verifier, checks } = await counting({ maxEntries: 1 });
      const a = await good();
      const b = await good({ exp: Math.floor(Date.now() / 1000) + 602 });
      await verifier(a);
      await verifier(b);
      await verifier(a);
      expect(checks()).toBe(3);
      const forged = await good({ signWith: otherKey });
      await expect(verifier(forged)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
      await expect(verifier(forged)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    });

    it('turns off with cache: false', async () => {
      const { verifier, checks } = await counting(false);
      const token = await good();
      await verifier(token);
      await verifier(token);
      expect(checks()).toBe(2);
    });
  });
});
