import type { EntityManager } from '@mikro-orm/core';
import type { Clock } from '../../../../lib/src/kit/clock';
import { AuthenticationError } from '../../../../lib/src/index';
import { Session } from './session.entity';
import { RefreshToken } from './refresh-token.entity';
import type { SessionRepository } from './session.repository';
import type { AuditService } from '../audit/audit.service';
import type { Organization } from '../organization/organization.entity';
import type { User } from '../user/user.entity';
import type { ActorScope, CallerScope, RequestMeta } from '../shared/actor.types';
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
    private readonly sessions: SessionRepository,
    private readonly audit: AuditService,
    private readonly settings: SessionSettings,
    private readonly clock: Clock,
    private readonly revocations: RevocationService,
  ) {}

  /** Opens a session for `user` in `organization` and returns its first refresh token. */
  async start(
    em: EntityManager,
    user: User,
    organization: Organization,
    method: string,
    meta?: RequestMeta,
  ): Promise<StartedSession> {
    const now = this.clock();
    const session = em.create(Session, {
      user,
      organizationId: organization.id,
      method,
      userAgent: meta?.userAgent?.slice(0, 500) ?? null,
      ipAddress: meta?.ipAddress?.slice(0, 64) ?? null,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + this.settings.sessionTtlSeconds * 1000),
    });
    em.persist(session);
    const refreshToken = this.mint(em, session);
    await em.flush();
    return { session, refreshToken };
  }

  /**
   * Consumes `presented` and returns the session with its next refresh token. A token that was
   * already consumed revokes its session (the family) before the error is thrown.
   */
  async rotate(em: EntityManager, presented: string, meta?: RequestMeta): Promise<StartedSession> {
    const now = this.clock();
    const row = presented.startsWith(REFRESH_PREFIX)
      ? await this.sessions.findRefreshToken(em, sha256Hex(presented))
      : null;
    if (!row) throw new InvalidCredentialsError('Invalid refresh token');
    const session = row.session;
    if (session.revokedAt || session.expiresAt <= now || row.expiresAt <= now) {
      throw new InvalidCredentialsError('Invalid refresh token');
    }
    // The conditional update is the single point of truth under concurrency: of two requests racing
    // with the same token, exactly one flips rotatedAt from null; the other is a reuse.
    const claimed = !row.rotatedAt && (await this.sessions.claimRefreshToken(em, row.id, now));
    if (!claimed) {
      await this.revokeFamily(em, session, 'reuse-detected', meta);
      throw new InvalidCredentialsError('Invalid refresh token');
    }
    session.lastUsedAt = now;
    const refreshToken = this.mint(em, session);
    this.audit.record(em, {
      type: 'token.refreshed',
      success: true,
      organizationId: session.organizationId,
      actor: { id: session.user.id, kind: 'user' },
      target: { type: 'Session', id: session.id },
      meta,
    });
    await em.flush();
    return { session, refreshToken };
  }

  /**
   * `logout`: ends the session of the given refresh token (any generation; unknown tokens are
   * ignored), or else the session of the access token used.
   */
  async logout(
    { em, viewer }: CallerScope,
    refreshToken: string | null | undefined,
    meta?: RequestMeta,
  ): Promise<boolean> {
    if (refreshToken) return this.logoutByRefreshToken(em, refreshToken, meta);
    if (!viewer) throw new AuthenticationError();
    if (!viewer.sessionId) throw new InvalidCredentialsError('This token belongs to no session');
    await this.revoke({ em, viewer }, viewer.sessionId, meta);
    return true;
  }

  /** Ends a session by one of its refresh tokens (any generation). Unknown tokens are ignored. */
  async logoutByRefreshToken(em: EntityManager, presented: string, meta?: RequestMeta): Promise<boolean> {
    const row = await this.sessions.findRefreshToken(em, sha256Hex(presented));
    if (!row || row.session.revokedAt) return false;
    this.close(row.session, 'logout');
    this.audit.record(em, {
      type: 'logout',
      success: true,
      organizationId: row.session.organizationId,
      actor: { id: row.session.user.id, kind: 'user' },
      target: { type: 'Session', id: row.session.id },
      meta,
    });
    await em.flush();
    await this.revocations.revoke(em, 'session', [row.session.id], 'logout');
    return true;
  }

  /** The sessions of `userId` in the organization that are still usable, newest first. */
  active(em: EntityManager, userId: string, organizationId: string): Promise<Session[]> {
    return this.sessions.active(em, userId, organizationId, this.clock());
  }

  /** `sessions`: the viewer's active sessions, or another member's with users:write. */
  visible({ em, viewer }: ActorScope, userId?: string | null): Promise<Session[]> {
    const target = userId ?? viewer.id;
    if (target !== viewer.id && !viewer.permissions.includes('users:write'))
      throw new PermissionDeniedError('Missing permission users:write');
    return this.active(em, target, viewer.organizationId);
  }

  /** A session for a federation reference: the viewer's own or, with users:write, any of its organization; else null. */
  async referenced({ em, viewer }: ActorScope, id: string): Promise<Session | null> {
    const session = await this.sessions.findInOrganization(em, viewer.organizationId, id);
    return session && (session.user.id === viewer.id || viewer.permissions.includes('users:write')) ? session : null;
  }

  /** The session with this id in the organization. */
  async byId(em: EntityManager, organizationId: string, id: string): Promise<Session> {
    const session = await this.sessions.findInOrganization(em, organizationId, id);
    if (!session) throw new EntityNotFoundError('Session', id);
    return session;
  }

  /** Revokes a session: one's own always, another member's with `users:write`. */
  async revoke({ em, viewer: actor }: ActorScope, sessionId: string, meta?: RequestMeta): Promise<Session> {
    const session = await this.byId(em, actor.organizationId, sessionId);
    if (session.user.id !== actor.id && !actor.permissions.includes('users:write')) {
      throw new PermissionDeniedError('You can revoke only your own sessions');
    }
    if (!session.revokedAt) {
      const reason = session.user.id === actor.id && actor.sessionId === session.id ? 'logout' : 'revoked';
      this.close(session, reason);
      this.audit.record(em, {
        type: 'session.revoked',
        success: true,
        organizationId: actor.organizationId,
        actor,
        target: { type: 'Session', id: session.id },
        meta,
        details: { userId: session.user.id },
      });
      await em.flush();
      await this.revocations.revoke(em, 'session', [session.id], reason);
    }
    return session;
  }

  /** Revokes every open session of a user in one organization (removed member). @returns how many */
  async revokeAllOf(em: EntityManager, userId: string, organizationId: string, reason: string): Promise<number> {
    return this.revokeIds(em, await this.sessions.openIdsIn(em, userId, organizationId), reason);
  }

  /** Revokes every open session of a user in every organization except `keep` (a password change). @returns how many */
  async revokeOthersOf(em: EntityManager, userId: string, keep: string | undefined, reason: string): Promise<number> {
    return this.revokeIds(em, await this.sessions.openIdsExcept(em, userId, keep), reason);
  }

  /** True while the session is open, unexpired and `userId`'s: identity refuses a token of a session that ended. */
  async isOpen(em: EntityManager, sessionId: string, userId: string): Promise<boolean> {
    const session = await this.sessions.findForVerification(em, sessionId);
    return !!session && !session.revokedAt && session.expiresAt > this.clock() && session.user.id === userId;
  }

  private async revokeIds(em: EntityManager, ids: string[], reason: string): Promise<number> {
    if (!ids.length) return 0;
    const count = await this.sessions.revokeMany(em, ids, this.clock(), reason);
    await this.revocations.revoke(em, 'session', ids, reason);
    return count;
  }

  /** Revokes the family after reuse of a consumed token and records it. */
  private async revokeFamily(em: EntityManager, session: Session, reason: string, meta?: RequestMeta): Promise<void> {
    this.close(session, reason);
    this.audit.record(em, {
      type: 'token.family-revoked',
      success: false,
      organizationId: session.organizationId,
      actor: { id: session.user.id, kind: 'user' },
      target: { type: 'Session', id: session.id },
      meta,
      details: { reason },
    });
    await em.flush();
    await this.revocations.revoke(em, 'session', [session.id], reason);
  }

  private close(session: Session, reason: string): void {
    if (session.revokedAt) return;
    session.revokedAt = this.clock();
    session.revokedReason = reason;
  }

  private mint(em: EntityManager, session: Session): string {
    const value = REFRESH_PREFIX + randomToken(32);
    em.persist(
      em.create(RefreshToken, {
        session,
        tokenHash: sha256Hex(value),
        createdAt: this.clock(),
        expiresAt: session.expiresAt,
      }),
    );
    return value;
  }
}
