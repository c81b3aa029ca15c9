import type { IdentitySettings } from '../../src/shared/identity.settings';
import { DEFAULT_LOCKOUT_POLICY } from '../../src/auth/lockout.policy';

export const SERVICE_SECRET = 'a-service-secret-only-the-tests-know-0123456789';

/** Settings as config.ts would build them, with overrides. */
export function testSettings(overrides: Partial<IdentitySettings> = {}): IdentitySettings {
  return {
    issuer: 'aic-identity',
    audience: 'aic-platform',
    accessTokenTtlSeconds: 900,
    sessionTtlSeconds: 30 * 86_400,
    keyRotationSeconds: null,
    lockout: DEFAULT_LOCKOUT_POLICY,
    externalProviders: [],
    serviceSecret: SERVICE_SECRET,
    credentialThrottle: { failuresPerAddress: 100, windowSeconds: 600 },
    trustedProxies: ['loopback', 'private'],
    organizationCreation: 'admins',
    ...overrides,
  };
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.now()): { now: () => Date; advance: (ms: number) => void } {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}
