import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { Session } from './session.entity';
import { RefreshToken } from './refresh-token.entity';
import type { AuditService } from '../audit/audit.service';
import type { Organization } from '../organization/organization.entity';
import type { User } from '../user/user.entity';
import type { Actor, Clock, RequestMeta } from '../shared/actor.types';
import { EntityNotFoundError, InvalidCredentialsError, PermissionDeniedError } from '../shared/identity.errors';
import { randomToken, sha256Hex } from '../shared/secret.util';
import type { RevocationService } from '../revocation/revocation.service';

export interface SessionSettings {
  /** Absolute lifetime of a session (its refresh-token family), however often it is refreshed. */
  sessionTtlSeconds: number;
}

export interface StartedSession {
  session: Session;
  refreshToken: string;
}

const REFRESH_PREFIX = 'aicr_';

/**
 * Sessions and their rotating refresh tokens (RFC 9700 §4.14): every refresh consumes the token
 * and issues the next; presenting a consumed token again revokes the whole family. Every way a
 * session ends is published as a revocation, so its access tokens stop working everywhere too.
 */
export class SessionService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly settings: SessionSettings,
    private readonly clock: Clock,
    private readonly revocations: RevocationService,
  ) {}

  /** Opens a session for `user` in `organization` and returns its first refresh token. */
  async start(user: User, organization: Organization, method: string, meta?: RequestMeta): Promise<StartedSession> {
    const now = this.clock();
    const session = this.em.create(Session, {
      user,
      organization,
      method,
      userAgent: meta?.userAgent?.slice(0, 500) ?? null,
      ipAddress: meta?.ipAddress?.slice(0, 64) ?? null,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + this.settings.sessionTtlSeconds * 1000),
    });
    this.em.persist(session);
    const refreshToken = this.mint(session);
    await this.em.flush();
    return { session, refreshToken };
  }

  /**
   * Consumes `presented` and returns the session with its next refresh token. A token that was
   * already consumed revokes its session (the family) before the error is thrown.
   */
  async rotate(presented: string, meta?: RequestMeta): Promise<StartedSession> {
    const now = this.clock();
    const row = presented.startsWith(REFRESH_PREFIX)
      ? await this.em.findOne(RefreshToken, { tokenHash: sha256Hex(presented) }, { populate: ['session'] })
      : null;
    if (!row) throw new InvalidCredentialsError('Invalid refresh token');
    const session = row.session;
    if (session.revokedAt || session.expiresAt <= now || row.expiresAt <= now) {
      throw new InvalidCredentialsError('Invalid refresh token');
    }
    // The conditional update is the single point of truth under concurrency: of two requests racing
    // with the same token, exactly one flips rotatedAt from null; the other is a reuse.
    const claimed = row.rotatedAt ? 0 : await this.em.nativeUpdate(RefreshToken, { id: row.id, rotatedAt: null }, { rotatedAt: now });
    if (claimed !== 1) {
      await this.revokeFamily(session, 'reuse-detected', meta);
      throw new InvalidCredentialsError('Invalid refresh token');
    }
    session.lastUsedAt = now;
    const refreshToken = this.mint(session);
    this.audit.record({ type: 'token.refreshed', success: true, organizationId: session.organization.id, actor: { id: session.user.id, kind: 'user' }, target: { type: 'Session', id: session.id }, meta });
    await this.em.flush();
    return { session, refreshToken };
  }

  /** Ends a session by one of its refresh tokens (any generation). Unknown tokens are ignored. */
  async logoutByRefreshToken(presented: string, meta?: RequestMeta): Promise<boolean> {
    const row = await this.em.findOne(RefreshToken, { tokenHash: sha256Hex(presented) }, { populate: ['session'] });
    if (!row || row.session.revokedAt) return false;
    this.close(row.session, 'logout');
    this.audit.record({ type: 'logout', success: true, organizationId: row.session.organization.id, actor: { id: row.session.user.id, kind: 'user' }, target: { type: 'Session', id: row.session.id }, meta });
    await this.em.flush();
    await this.revocations.revoke('session', [row.session.id], 'logout');
    return true;
  }

  /** The sessions of `userId` in the organization that are still usable, newest first. */
  active(userId: string, organizationId: string): Promise<Session[]> {
    return this.em.find(
      Session,
      { user: userId, organization: organizationId, revokedAt: null, expiresAt: { $gt: this.clock() } },
      { orderBy: { lastUsedAt: 'desc', id: 'asc' } },
    );
  }

  /** The session with this id in the organization. */
  async byId(organizationId: string, id: string): Promise<Session> {
    const session = await this.em.findOne(Session, { id, organization: organizationId });
    if (!session) throw new EntityNotFoundError('Session', id);
    return session;
  }

  /** Revokes a session: one's own always, another member's with `users:write`. */
  async revoke(actor: Actor, sessionId: string, meta?: RequestMeta): Promise<Session> {
    const session = await this.byId(actor.organizationId, sessionId);
    if (session.user.id !== actor.id && !actor.permissions.includes('users:write')) {
      throw new PermissionDeniedError('You can revoke only your own sessions');
    }
    if (!session.revokedAt) {
      const reason = session.user.id === actor.id && actor.sessionId === session.id ? 'logout' : 'revoked';
      this.close(session, reason);
      this.audit.record({ type: 'session.revoked', success: true, organizationId: actor.organizationId, actor, target: { type: 'Session', id: session.id }, meta, details: { userId: session.user.id } });
      await this.em.flush();
      await this.revocations.revoke('session', [session.id], reason);
    }
    return session;
  }

  /** Revokes every open session of a user in one organization (removed member). @returns how many */
  revokeAllOf(userId: string, organizationId: string, reason: string): Promise<number> {
    return this.revokeWhere({ user: userId, organization: organizationId, revokedAt: null }, reason);
  }

  /** Revokes every open session of a user in every organization except `keep` (a password change). @returns how many */
  revokeOthersOf(userId: string, keep: string | undefined, reason: string): Promise<number> {
    return this.revokeWhere(keep ? { user: userId, revokedAt: null, id: { $ne: keep } } : { user: userId, revokedAt: null }, reason);
  }

  private async revokeWhere(where: FilterQuery<Session>, reason: string): Promise<number> {
    const ids = (await this.em.find(Session, where, { fields: ['id'] })).map((s) => s.id);
    if (!ids.length) return 0;
    const count = await this.em.nativeUpdate(Session, { id: { $in: ids }, revokedAt: null }, { revokedAt: this.clock(), revokedReason: reason });
    await this.revocations.revoke('session', ids, reason);
    return count;
  }

  /** Revokes the family after reuse of a consumed token and records it. */
  private async revokeFamily(session: Session, reason: string, meta?: RequestMeta): Promise<void> {
    this.close(session, reason);
    this.audit.record({ type: 'token.family-revoked', success: false, organizationId: session.organization.id, actor: { id: session.user.id, kind: 'user' }, target: { type: 'Session', id: session.id }, meta, details: { reason } });
    await this.em.flush();
    await this.revocations.revoke('session', [session.id], reason);
  }

  private close(session: Session, reason: string): void {
    if (session.revokedAt) return;
    session.revokedAt = this.clock();
    session.revokedReason = reason;
  }

  private mint(session: Session): string {
    const value = REFRESH_PREFIX + randomToken(32);
    this.em.persist(this.em.create(RefreshToken, { session, tokenHash: sha256Hex(value), createdAt: this.clock(), expiresAt: session.expiresAt }));
    return value;
  }
}
