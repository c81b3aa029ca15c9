import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { SignJWT } from 'jose';
import type { SigningKeyRing } from '../signing-key/signing-key.ring';
import type { Clock } from '../../../../lib/src/kit/clock';

export interface TokenSettings {
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
}

/** The claims that vary per token (the contract in LIB-CONTRACT.md). */
export interface AccessTokenSubject {
  sub: string;
  org: string;
  roles: readonly string[];
  perms: readonly string[];
  kind: 'user' | 'api_key' | 'service';
  /** Session id: revoking the session revokes the token. */
  sid?: string;
  /** API key id (tokens of kind `api_key`): revoking the key revokes the token. */
  akid?: string;
  /**
   * The service acting for the user (`act` claim, RFC 8693): a delegated token of a job the user
   * started. Its subject is the user; its permissions are those the job needs, all held by the user.
   */
  act?: string;
}

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
  jti: string;
}

/** Signs access tokens: EdDSA, `typ: at+jwt`, `kid` of the active key, short lifetime. */
export class AccessTokenIssuer {
  constructor(
    private readonly keys: SigningKeyRing,
    private readonly settings: TokenSettings,
    private readonly clock: Clock,
    /** The instant (ms) before which the member's tokens are revoked (a role taken away), if any. */
    private readonly memberNotBefore: (organizationId: string, userId: string) => number | undefined = () => undefined,
  ) {}

  /** A signed token for `subject`, valid for the configured lifetime from now. */
  async issue(em: EntityManager, subject: AccessTokenSubject): Promise<IssuedAccessToken> {
    const { kid, key } = await this.keys.activeKey(em);
    // Never dated before a revocation of the member's earlier tokens (within the same second, iat
    // is then up to a second ahead: nothing checks iat against the clock).
    const notBefore = this.memberNotBefore(subject.org, subject.sub);
    const iat = Math.max(
      Math.floor(this.clock().getTime() / 1000),
      notBefore === undefined ? 0 : Math.ceil(notBefore / 1000),
    );
    const ttl = this.settings.accessTokenTtlSeconds;
    const jti = randomUUID();
    const claims: Record<string, unknown> = {
      org: subject.org,
      roles: [...subject.roles],
      perms: [...subject.perms],
      kind: subject.kind,
    };
    if (subject.sid) claims.sid = subject.sid;
    if (subject.akid) claims.akid = subject.akid;
    if (subject.act) claims.act = { sub: subject.act };
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setSubject(subject.sub)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttl)
      .sign(key);
    return { accessToken, expiresIn: ttl, jti };
  }
}
