import type Redis from 'ioredis';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { DomainError } from '../../../../lib/src/index';
import { InvalidCredentialsError } from '../shared/identity.errors';

/**
 * Failed credential attempts (password, refresh token, API key, external token, current password)
 * allowed per client address in a window, across all accounts. Only failures count, so people
 * behind one address who sign in correctly are never held back by it.
 */
export interface CredentialThrottleSettings {
  failuresPerAddress: number;
  windowSeconds: number;
}

/** Too many failed attempts from this address: HTTP 429, `Retry-After`, `retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED', `Too many failed attempts from your address; retry in ${retryAfterSeconds}s`, {
      retryAfterSeconds,
      http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
    });
  }
}

/**
 * Per-address throttling of credential checks (NIST SP 800-63B §5.2.2), beside the per-account
 * lockout: an address over its failures is refused before any password hash is computed, until its
 * window ends. Counted in Redis when a client is given (identity replicas count together), in memory
 * otherwise.
 */
export class CredentialThrottle {
  private readonly limiter: RateLimiterAbstract;

  constructor(
    private readonly settings: CredentialThrottleSettings,
    deps: { redis?: Redis; prefix?: string } = {},
  ) {
    const options = {
      points: settings.failuresPerAddress,
      duration: settings.windowSeconds,
      keyPrefix: `${deps.prefix ?? 'aic-identity'}:credential-failures`,
    };
    const memory = new RateLimiterMemory(options);
    this.limiter = deps.redis
      ? new RateLimiterRedis({ ...options, storeClient: deps.redis, insuranceLimiter: memory })
      : memory;
  }

  /** Runs a credential check for `address`; refuses it while the address is over its failures, and counts it when it fails. */
  async guard<T>(address: string, check: () => Promise<T>): Promise<T> {
    const state = await this.limiter.get(address);
    if (state && state.consumedPoints >= this.settings.failuresPerAddress)
      throw new RateLimitedError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
    try {
      return await check();
    } catch (error) {
      if (error instanceof InvalidCredentialsError) await this.limiter.consume(address).catch(() => undefined);
      throw error;
    }
  }
}
