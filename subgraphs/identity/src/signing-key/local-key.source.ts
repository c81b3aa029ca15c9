import type { MikroORM } from '@mikro-orm/core';
import type { JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet } from 'jose';
import type { SigningKeyRing } from './signing-key.ring';

/**
 * Identity verifies its own tokens against its key ring, without an HTTP call to itself. The JWKS
 * is cached for `ttlMs` and reloaded early (at most once a second) when a token names an unknown
 * `kid`, so a key rotated by another replica is picked up at once.
 * @returns a key source for lib's `createTokenVerifier({ getKey })`
 */
export function createLocalKeySource(orm: MikroORM, keys: SigningKeyRing, ttlMs = 10_000): JWTVerifyGetKey {
  let cached: { at: number; set: ReturnType<typeof createLocalJWKSet> } | null = null;
  const load = async () => {
    const set = createLocalJWKSet(await keys.jwks(orm.em.fork()));
    cached = { at: Date.now(), set };
    return set;
  };
  return async (header, token) => {
    const fresh = cached !== null && Date.now() - cached.at < ttlMs;
    const set = fresh && cached ? cached.set : await load();
    try {
      return await set(header, token);
    } catch (error) {
      if (!fresh || !cached || Date.now() - cached.at < 1000) throw error;
      return (await load())(header, token);
    }
  };
}
