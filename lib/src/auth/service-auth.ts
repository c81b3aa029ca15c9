import type { AuthSettings } from '../env';
import type { Logger } from '../logger';
import type { RevocationFeed } from './revocation-feed';
import { followRevocations } from './revocation-feed';
import type { TokenVerifier, TokenVerifierOptions } from './token-verifier';
import { createTokenVerifier } from './token-verifier';

/** A service's token verification: the verifier and, when configured, the revocation feed it consults. */
export interface ServiceAuth {
  verify: TokenVerifier;
  /** Pass to `createServiceServer({ revocations })`: readiness, subscriptions, close on stop. */
  revocations?: RevocationFeed;
  close(): Promise<void>;
}

/**
 * Builds a service's verifier from its auth settings. With `settings.revocations`, it follows
 * identity's revocations and waits up to `bootWaitMs` for the current list, so a restarted
 * service refuses what was revoked before it started; past that wait it starts anyway, and its
 * readiness stays 503 until the list has loaded.
 * @default bootWaitMs 3000
 */
export async function createServiceAuth(
  settings: AuthSettings,
  logger: Logger,
  options: { bootWaitMs?: number; verifier?: Partial<TokenVerifierOptions> } = {},
): Promise<ServiceAuth> {
  const revocations = settings.revocations ? followRevocations(settings.revocations, logger) : undefined;
  if (revocations && !(await revocations.whenLoaded(options.bootWaitMs ?? 3_000))) {
    logger.warn(
      { identityUrl: settings.revocations!.identityUrl },
      'revocation list not loaded yet: not ready until it is',
    );
  }
  const verify = createTokenVerifier({
    jwksUrl: settings.jwksUrl,
    issuer: settings.issuer,
    audience: settings.audience,
    ...options.verifier,
    revocations: revocations?.list,
  });
  return { verify, revocations, close: async () => revocations?.close() };
}
