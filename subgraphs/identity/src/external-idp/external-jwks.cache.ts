import { createRemoteJWKSet } from 'jose';
import type { ExternalProviderSettings } from './external-provider.settings';

type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;

/**
 * One remote JWKS per provider, kept for the life of the service: jose caches the fetched keys,
 * refetches on an unknown `kid` (rate-limited by its cooldown) and times out slow providers.
 */
export class ExternalJwksCache {
  private readonly sets = new Map<string, RemoteKeySet>();

  constructor(private readonly timeoutMs = 5000) {}

  /** The key set of `provider`. */
  keySet(provider: ExternalProviderSettings): RemoteKeySet {
    let set = this.sets.get(provider.name);
    if (!set) {
      set = createRemoteJWKSet(new URL(provider.jwksUrl), {
        timeoutDuration: this.timeoutMs,
        cooldownDuration: 30_000,
      });
      this.sets.set(provider.name, set);
    }
    return set;
  }
}
