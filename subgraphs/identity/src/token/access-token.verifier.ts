import type { EntityManager } from '@mikro-orm/core';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { SigningKeyRing } from '../signing-key/signing-key.ring';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { Actor } from '../shared/actor.types';
import { InvalidCredentialsError } from '../shared/identity.errors';
import type { TokenSettings } from './access-token.issuer';

const KINDS = new Set(['user', 'api_key', 'service']);

/**
 * Verifies identity's own access tokens against its key ring without an HTTP round trip to itself:
 * EdDSA only, `typ: at+jwt`, `iss`, `aud`, `exp`, known `kid`, and the claim shapes.
 */
export class AccessTokenVerifier {
  constructor(
    private readonly keys: SigningKeyRing,
    private readonly settings: TokenSettings,
    private readonly clock: Clock,
  ) {}

  /** The actor a valid token stands for; InvalidCredentialsError for anything else. */
  async verify(em: EntityManager, token: string): Promise<Actor> {
    const jwks = createLocalJWKSet(await this.keys.jwks(em));
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        algorithms: ['EdDSA'],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        typ: 'at+jwt',
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
        currentDate: this.clock(),
      }));
    } catch {
      throw new InvalidCredentialsError('Invalid or expired access token');
    }
    const { sub, org, roles, perms, kind, sid, akid, act } = payload;
    if (
      // A delegated token (a job acting for its user) is for the services the job calls, never for
      // identity: it could otherwise act as the user on their own account.
      act !== undefined ||
      typeof sub !== 'string' ||
      typeof org !== 'string' ||
      !isStringArray(roles) ||
      !isStringArray(perms) ||
      typeof kind !== 'string' ||
      !KINDS.has(kind) ||
      (sid !== undefined && typeof sid !== 'string') ||
      (akid !== undefined && typeof akid !== 'string')
    ) {
      throw new InvalidCredentialsError('Invalid or expired access token');
    }
    return {
      id: sub,
      organizationId: org,
      roles,
      permissions: perms,
      kind: kind as Actor['kind'],
      sessionId: sid,
      apiKeyId: akid as string | undefined,
    };
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
