import { GraphQLError } from 'graphql';
import type { Logger, RevocationFeed, TokenVerifier } from '../../../lib/src/core';
import { createTokenVerifier, followRevocations } from '../../../lib/src/core';
import type { GatewayConfig } from '../config';

/** One log line per this interval at most while the JWKS stays out of reach (every request would log). */
const KEY_SOURCE_LOG_INTERVAL_MS = 10_000;

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
  const jwksUrl = config.auth.jwksUrl;
  let loggedAt = 0;
  let unlogged = 0;
  const onKeySourceError = (err: unknown) => {
    const now = Date.now();
    if (now - loggedAt < KEY_SOURCE_LOG_INTERVAL_MS) return void unlogged++;
    deps.logger.error(
      { err, jwksUrl, failuresSinceLastLine: unlogged },
      'cannot verify access tokens: the JWKS is unreachable (requests with a token answer AUTH_UNAVAILABLE)',
    );
    loggedAt = now;
    unlogged = 0;
  };
  const verify =
    deps.verify ??
    (jwksUrl
      ? createTokenVerifier({
          jwksUrl,
          issuer: config.auth.issuer,
          audience: config.auth.audience,
          revocations: revocations?.list,
          onKeySourceError,
        })
      : undefined);
  return { verify, revocations };
}

/**
 * The GraphQL error of a token the edge refused: `AUTH_UNAVAILABLE` (HTTP 503) when it could not be
 * checked at all (JWKS unreachable), else `UNAUTHENTICATED` (HTTP 401) with the verifier's message.
 */
export function tokenRefusal(err: unknown): GraphQLError {
  const unavailable = (err as { extensions?: { code?: unknown } } | null)?.extensions?.code === 'AUTH_UNAVAILABLE';
  return new GraphQLError((err as Error).message, {
    extensions: unavailable
      ? { code: 'AUTH_UNAVAILABLE', http: { status: 503 } }
      : { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}
