import type { Logger, RevocationFeed, TokenVerifier } from '../../../lib/src/core';
import { createTokenVerifier, followRevocations } from '../../../lib/src/core';
import type { GatewayConfig } from '../config';

/** How the edge verifies access tokens: the verifier (none without a JWKS) and the revocation feed it consults. */
export interface EdgeVerification {
  verify?: TokenVerifier;
  revocations?: RevocationFeed;
}

/**
 * The edge refuses revoked sessions and keys like every service: with a JWKS and a revocation feed,
 * waits up to 3 s for the list (readiness waits for it after that). A given verifier is used as is.
 */
export async function edgeVerification(
  config: GatewayConfig,
  deps: { logger: Logger; verify?: TokenVerifier },
): Promise<EdgeVerification> {
  const revocations =
    !deps.verify && config.auth.jwksUrl && config.auth.revocations
      ? followRevocations(config.auth.revocations, deps.logger)
      : undefined;
  if (revocations && !(await revocations.whenLoaded(3_000)))
    deps.logger.warn('revocation list not loaded yet: not ready until it is');
  const verify =
    deps.verify ??
    (config.auth.jwksUrl
      ? createTokenVerifier({
          jwksUrl: config.auth.jwksUrl,
          issuer: config.auth.issuer,
          audience: config.auth.audience,
          revocations: revocations?.list,
        })
      : undefined);
  return { verify, revocations };
}
