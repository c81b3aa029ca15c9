import { exportJWK, generateKeyPair, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../../lib/src/index';
import { startIdentity, type TestIdentity } from './support/test-server';

let svc: TestIdentity;

beforeAll(async () => {
  const current = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const previous = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const keys = [
    { ...(await exportJWK(current.privateKey)), kid: 'ops-2026-02' },
    { ...(await exportJWK(previous.privateKey)), kid: 'ops-2026-01' },
  ];
  svc = await startIdentity({ env: { AIC_SIGNING_KEYS: JSON.stringify(keys) } });
});
afterAll(async () => svc?.stop());

describe('signing keys given by configuration', () => {
  it('signs with the first key and publishes all of them, public parts only', async () => {
    const jwks = (await (await fetch(`${svc.url}/.well-known/jwks.json`)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual(['ops-2026-02', 'ops-2026-01']);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    const { accessToken } = await svc.login();
    expect(decodeProtectedHeader(accessToken).kid).toBe('ops-2026-02');
    const verify = createTokenVerifier({
      jwksUrl: `${svc.url}/.well-known/jwks.json`,
      issuer: 'aic-identity',
      audience: 'aic-platform',
    });
    await expect(verify(accessToken)).resolves.toMatchObject({ roles: ['owner'] });
    await expect(svc.identity.services.keys.rotate(svc.identity.orm.em.fork())).rejects.toThrow('rotate them there');
  });
});
