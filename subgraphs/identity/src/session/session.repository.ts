import type { EntityManager, FilterQuery, Loaded } from '@mikro-orm/core';
import { RefreshToken } from './refresh-token.entity';
import { Session } from './session.entity';

/** The session aggregate's queries: sessions and their refresh tokens. Stateless: the caller's `em` is the unit of work. */
export class SessionRepository {
  findInOrganization(em: EntityManager, organizationId: string, id: string): Promise<Session | null> {
    return em.findOne(Session, { id, organizationId });
  }

  /** What a token verification reads of its session (not tracked for changes). */
  findForVerification(
    em: EntityManager,
    id: string,
  ): Promise<Loaded<Session, never, 'revokedAt' | 'expiresAt' | 'user'> | null> {
    return em.findOne(Session, { id }, { fields: ['revokedAt', 'expiresAt', 'user'] });
  }

  /** The sessions of a user in the organization still usable at `now`, most recently used first. */
  active(em: EntityManager, userId: string, organizationId: string, now: Date): Promise<Session[]> {
    return em.find(
      Session,
      { user: userId, organizationId, revokedAt: null, expiresAt: { $gt: now } },
      { orderBy: { lastUsedAt: 'desc', id: 'asc' } },
    );
  }

  /** Ids of the open sessions of a user in one organization. */
  async openIdsIn(em: EntityManager, userId: string, organizationId: string): Promise<string[]> {
    return this.ids(em, { user: userId, organizationId, revokedAt: null });
  }

  /** Ids of the open sessions of a user in every organization, except `keep`. */
  async openIdsExcept(em: EntityManager, userId: string, keep: string | undefined): Promise<string[]> {
    return this.ids(
      em,
      keep ? { user: userId, revokedAt: null, id: { $ne: keep } } : { user: userId, revokedAt: null },
    );
  }

  /** Marks still-open sessions revoked, bypassing the unit of work. @returns how many */
  revokeMany(em: EntityManager, ids: string[], at: Date, reason: string): Promise<number> {
    return em.nativeUpdate(Session, { id: { $in: ids }, revokedAt: null }, { revokedAt: at, revokedReason: reason });
  }

  /** A refresh token by the sha256 of its value, with its session. */
  findRefreshToken(em: EntityManager, tokenHash: string): Promise<RefreshToken | null> {
    return em.findOne(RefreshToken, { tokenHash }, { populate: ['session'] });
  }

  /**
   * Marks a refresh token rotated only if it was not yet (compare-and-set): of two requests racing
   * with the same token, exactly one claims it.
   * @returns whether this call claimed it
   */
  async claimRefreshToken(em: EntityManager, id: string, at: Date): Promise<boolean> {
    return (await em.nativeUpdate(RefreshToken, { id, rotatedAt: null }, { rotatedAt: at })) === 1;
  }

  private async ids(em: EntityManager, where: FilterQuery<Session>): Promise<string[]> {
    return (await em.find(Session, where, { fields: ['id'] })).map((s) => s.id);
  }
}
