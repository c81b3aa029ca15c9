import { describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair } from 'jose';
import { ConfigError } from '../../../lib/src/index';
import { loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('has working defaults for npm start', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ serviceName: 'identity', port: 4001, adminEmail: null, adminPassword: null });
    expect(config.identity).toMatchObject({
      issuer: 'aic-identity',
      audience: 'aic-platform',
      accessTokenTtlSeconds: 900,
      sessionTtlSeconds: 30 * 86_400,
      keyRotationSeconds: 30 * 86_400,
      signingKeys: undefined,
      lockout: { threshold: 5, baseDelaySeconds: 30, maxDelaySeconds: 900, resetAfterSeconds: 86_400 },
      externalProviders: [],
      serviceSecret: null,
    });
  });

  it('reads token, lockout, admin and provider settings', () => {
    const config = loadConfig({
      PORT: '5001',
      AIC_JWT_ISSUER: 'https://id.example',
      AIC_KEY_ROTATION_DAYS: '0',
      AIC_LOCKOUT_THRESHOLD: '10',
      AIC_ADMIN_EMAIL: 'root@example.com',
      AIC_ADMIN_PASSWORD: 'long enough password',
      AIC_SERVICE_SECRET: 's3cret-s3cret',
      AIC_OIDC_PROVIDERS: JSON.stringify([
        {
          name: 'corp',
          issuer: 'https://corp',
          jwksUrl: 'https://corp/jwks',
          audience: 'aic',
          organizationSlug: 'default',
          roleMapping: { ops: ['admin'] },
        },
      ]),
    });
    expect(config.port).toBe(5001);
    expect(config.identity).toMatchObject({
      issuer: 'https://id.example',
      keyRotationSeconds: null,
      serviceSecret: 's3cret-s3cret',
    });
    expect(config.identity.lockout.threshold).toBe(10);
    expect(config.identity.externalProviders[0]).toMatchObject({
      name: 'corp',
      roleMapping: { ops: ['admin'] },
      linkByEmail: false,
    });
    expect(config.adminPassword).toBe('long enough password');
  });

  it('accepts private Ed25519 signing keys and refuses public or foreign ones', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const priv = { ...(await exportJWK(privateKey)), kid: 'k1' };
    expect(loadConfig({ AIC_SIGNING_KEYS: JSON.stringify([priv]) }).identity.signingKeys).toEqual([priv]);
    expect(() => loadConfig({ AIC_SIGNING_KEYS: JSON.stringify([{ ...priv, kid: '' }]) })).toThrow(
      /AIC_SIGNING_KEYS\[0\]/,
    );
    const pub = { ...(await exportJWK(publicKey)), kid: 'k2' };
    expect(() => loadConfig({ AIC_SIGNING_KEYS: JSON.stringify([pub]) })).toThrow(ConfigError);
    expect(() => loadConfig({ AIC_SIGNING_KEYS: '{not json' })).toThrow('AIC_SIGNING_KEYS must be JSON');
  });

  it.each([
    [{ AIC_ADMIN_PASSWORD: 'short' }, 'AIC_ADMIN_PASSWORD'],
    [{ AIC_ACCESS_TOKEN_TTL_SECONDS: '0' }, 'AIC_ACCESS_TOKEN_TTL_SECONDS'],
    [{ AIC_LOCKOUT_THRESHOLD: 'many' }, 'AIC_LOCKOUT_THRESHOLD'],
    [{ AIC_LOCKOUT_BASE_DELAY_SECONDS: '60', AIC_LOCKOUT_MAX_DELAY_SECONDS: '30' }, 'AIC_LOCKOUT_MAX_DELAY_SECONDS'],
    [{ AIC_OIDC_PROVIDERS: '[{"name":"x"}]' }, 'AIC_OIDC_PROVIDERS[0].issuer'],
    [
      {
        AIC_OIDC_PROVIDERS:
          '[{"name":"x","issuer":"i","jwksUrl":"ftp://j","audience":"a","organizationSlug":"default"}]',
      },
      'jwksUrl must be http(s)',
    ],
  ])('fails fast on %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
