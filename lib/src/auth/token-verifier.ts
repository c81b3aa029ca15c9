import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { AuthenticationError, DomainError } from '../errors';
import type { RevocationList } from './revocations';
import type { Viewer } from './viewer';

/** Only asymmetric algorithms: a verifier never accepts `none` or an HMAC secret (RFC 8725). */
export const ACCEPTED_ALGORITHMS = ['EdDSA', 'ES256'];

export interface TokenVerifierOptions {
  /** Where the signing keys are published; ignored when `getKey` is given. */
  jwksUrl?: string;
  /** A local key source (identity verifies its own tokens without HTTP). */
  getKey?: JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /**
   * Keeps verified tokens so a client's repeated calls skip the signature check (an Ed25519 verify
   * is the largest single cost of a small request). A cached token still expires at its `exp`; a
   * key removed from the JWKS stops its tokens here within `ttlMs`. `false` turns caching off.
   * @default { maxEntries: 10_000, ttlMs: 60_000 }
   */
  cache?: { maxEntries?: number; ttlMs?: number } | false;
  /**
   * Revoked sessions and API keys (see `followRevocations`): a token whose `sid` or `akid` is in
   * it is refused, cached or not.
   */
  revocations?: RevocationList;
  /**
   * Called when a token cannot be checked because the key source failed (JWKS unreachable, timed
   * out, not a JWKS): the caller logs it. The token is then refused with `AUTH_UNAVAILABLE`.
   */
  onKeySourceError?: (err: unknown) => void;
}

/** The message of a refused revoked token (the same wherever it is refused). */
export const REVOKED_TOKEN_MESSAGE = 'This token was revoked: sign in again';

export type TokenVerifier = (token: string) => Promise<Viewer>;

/**
 * Verifies platform access tokens: signature through the JWKS (refetched on an unknown `kid`),
 * algorithm allow-list, `typ: at+jwt`, `iss`, `aud`, expiry, not revoked; then builds the Viewer.
 * @returns a function that resolves to the Viewer or throws AuthenticationError
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const getKey =
    options.getKey ??
    createRemoteJWKSet(new URL(requireUrl(options.jwksUrl)), { cooldownDuration: 5_000, timeoutDuration: 5_000 });
  const verify = async (token: string) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        algorithms: ACCEPTED_ALGORITHMS,
        issuer: options.issuer,
        audience: options.audience,
        typ: 'at+jwt',
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (err) {
      if (!keySourceFailed(err)) throw new AuthenticationError('Invalid or expired access token');
      options.onKeySourceError?.(err);
      throw new AuthUnavailableError();
    }
    return viewerFromClaims(payload, token);
  };
  const verified =
    options.cache === false
      ? verify
      : cached(verify, options.cache?.maxEntries ?? 10_000, options.cache?.ttlMs ?? 60_000);
  const revocations = options.revocations;
  if (!revocations) return verified;
  return async (token: string) => {
    const viewer = await verified(token);
    if (revocations.revokes(viewer)) throw new AuthenticationError(REVOKED_TOKEN_MESSAGE);
    return viewer;
  };
}

/**
 * A token that could not be checked (the signing keys are out of reach): not the token's fault, so
 * not UNAUTHENTICATED; the client may try again (HTTP 503 where a status is sent).
 */
export class AuthUnavailableError extends DomainError {
  constructor() {
    super(
      'AUTH_UNAVAILABLE',
      'Access tokens cannot be verified right now (signing keys unreachable): try again shortly',
    );
  }
}

/** jose's codes for what is wrong with the token itself (anything else failed in fetching the keys). */
const TOKEN_FAULTS = new Set([
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_EXPIRED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWS_INVALID',
  'ERR_JWT_INVALID',
  'ERR_JWK_INVALID',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
]);

/** @returns whether a verification failure came from the key source (JWKS timeout, network error, non-200 or invalid JWKS) */
function keySourceFailed(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return !(typeof code === 'string' && TOKEN_FAULTS.has(code));
}

/**
 * Wraps a verifier with a bounded cache of verified tokens (oldest entry dropped first). Each caller
 * gets its own copy of the Viewer, so no request can change what another sees.
 */
function cached(verify: TokenVerifier, maxEntries: number, ttlMs: number): TokenVerifier {
  const entries = new Map<string, { viewer: Viewer; until: number }>();
  const copy = (v: Viewer): Viewer => ({ ...v, roles: [...v.roles], permissions: [...v.permissions] });
  return async (token: string) => {
    const now = Date.now();
    const hit = entries.get(token);
    if (hit) {
      if (now < hit.until && now < hit.viewer.expiresAt) return copy(hit.viewer);
      entries.delete(token);
    }
    const viewer = await verify(token);
    if (maxEntries > 0) {
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(token, { viewer: copy(viewer), until: now + ttlMs });
    }
    return viewer;
  };
}

function requireUrl(url: string | undefined): string {
  if (!url) throw new Error('createTokenVerifier needs jwksUrl or getKey');
  return url;
}

/** `act.sub` of a delegated token (RFC 8693 actor claim). */
function actorOf(act: unknown): string | undefined {
  if (typeof act !== 'object' || act === null || !('sub' in act)) return undefined;
  return typeof act.sub === 'string' ? act.sub : undefined;
}

function viewerFromClaims(p: JWTPayload, token: string): Viewer {
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const kind = p.kind === 'api_key' || p.kind === 'service' ? p.kind : 'user';
  if (typeof p.org !== 'string' || typeof p.sub !== 'string' || (p.act !== undefined && !actorOf(p.act)))
    throw new AuthenticationError('Invalid or expired access token');
  return {
    id: p.sub,
    organizationId: p.org,
    roles: strings(p.roles),
    permissions: strings(p.perms),
    kind,
    sessionId: typeof p.sid === 'string' ? p.sid : undefined,
    apiKeyId: typeof p.akid === 'string' ? p.akid : undefined,
    actor: actorOf(p.act),
    token,
    expiresAt: (p.exp ?? 0) * 1000,
    issuedAt: (p.iat ?? 0) * 1000,
  };
}

/**
 * Reads a bearer token from an `Authorization` header value.
 * @returns the token, `null` when the header is absent; throws AuthenticationError when malformed
 */
export function bearerToken(header: string | undefined | null): string | null {
  if (!header) return null;
  const token = /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
  if (token === undefined) throw new AuthenticationError('Authorization header must be "Bearer <token>"');
  return token;
}
