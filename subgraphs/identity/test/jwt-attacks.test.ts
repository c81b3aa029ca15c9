import { createHash } from 'node:crypto';
import { SignJWT, base64url, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../../lib/src/index';
import { gql } from '../../../lib/src/testing/harness';
import { startIdentity, type TestIdentity } from './support/test-server';

let svc: TestIdentity;
let genuine: string;
let claims: Record<string, unknown>;
let kid: string;

const part = (value: unknown) => base64url.encode(JSON.stringify(value));

/** Signs `payload` with identity's real active key, so only the attacked property is wrong. */
async function signWithIdentityKey(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const { key } = await svc.identity.services.keys.activeKey(svc.identity.orm.em.fork());
  return new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt', ...header }).sign(key);
}

beforeAll(async () => {
  svc = await startIdentity();
  genuine = (await svc.login()).accessToken;
  kid = decodeProtectedHeader(genuine).kid as string;
  claims = JSON.parse(Buffer.from(genuine.split('.')[1]!, 'base64url').toString('utf8'));
});
afterAll(async () => svc?.stop());

const attacks: [string, () => Promise<string>][] = [
  ['alg none', async () => `${part({ alg: 'none', typ: 'at+jwt', kid })}.${part(claims)}.`],
  [
    'HS256 with the public key as the HMAC secret',
    async () => {
      const jwks = (await (await fetch(`${svc.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
      const secret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
      return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' }).sign(secret);
    },
  ],
  [
    'ES256 from a key of the attacker under the real kid',
    async () => {
      const { privateKey } = await generateKeyPair('ES256');
      return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).sign(privateKey);
    },
  ],
  [
    'EdDSA from a key of the attacker under the real kid, with its JWK embedded in the header',
    async () => {
      const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt', jwk: await exportJWK(publicKey) })
        .sign(privateKey);
    },
  ],
  [
    'unknown kid',
    async () => {
      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', kid: 'attacker-key', typ: 'at+jwt' })
        .sign(privateKey);
    },
  ],
  ['wrong audience', () => signWithIdentityKey({ ...claims, aud: 'another-platform' })],
  ['wrong issuer', () => signWithIdentityKey({ ...claims, iss: 'https://evil.example' })],
  ['wrong typ (an id token)', () => signWithIdentityKey(claims, { typ: 'JWT' })],
  ['no typ', () => signWithIdentityKey(claims, { typ: undefined })],
  [
    'expired',
    () => {
      const now = Math.floor(Date.now() / 1000);
      return signWithIdentityKey({ ...claims, iat: now - 3600, exp: now - 1800 });
    },
  ],
  [
    'tampered payload (more permissions, same signature)',
    async () => {
      const [header, , signature] = genuine.split('.');
      return `${header}.${part({ ...claims, perms: ['*'], org: 'another-org' })}.${signature}`;
    },
  ],
  [
    'tampered signature',
    async () => {
      const [header, payload, signature = ''] = genuine.split('.');
      const flipped = Buffer.from(signature, 'base64url');
      flipped[0]! ^= 1;
      return `${header}.${payload}.${flipped.toString('base64url')}`;
    },
  ],
  ['not a JWT', async () => createHash('sha256').update('x').digest('hex')],
];

describe('JWT attack cases', () => {
  it('accepts the genuine token (control)', async () => {
    expect((await gql(svc.graphqlUrl, '{ me { email } }', {}, genuine)).data.me.email).toBe('owner@example.com');
    const verify = createTokenVerifier({
      jwksUrl: `${svc.url}/.well-known/jwks.json`,
      issuer: 'aic-identity',
      audience: 'aic-platform',
    });
    await expect(verify(genuine)).resolves.toMatchObject({ id: claims.sub, organizationId: claims.org });
  });

  it.each(attacks)('rejects %s at identity with 401 UNAUTHENTICATED', async (_name, forge) => {
    const res = await gql(svc.graphqlUrl, '{ me { email } }', {}, await forge());
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(res.data).toBeUndefined();
  });

  it.each(attacks)("rejects %s in the verifier other services run against identity's JWKS", async (_name, forge) => {
    const verify = createTokenVerifier({
      jwksUrl: `${svc.url}/.well-known/jwks.json`,
      issuer: 'aic-identity',
      audience: 'aic-platform',
    });
    await expect(verify(await forge())).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});
