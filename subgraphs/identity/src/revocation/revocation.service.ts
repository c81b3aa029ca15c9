import type { EntityManager } from '@mikro-orm/core';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Revocation, RevocationKind } from '../../../../lib/src/index';
import { memberRevocationId } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import { RevocationRecord } from './revocation.entity';
import type { RevocationHub } from './revocation.hub';
import type { RevocationRepository } from './revocation.repository';

/** Verifiers compare `exp` with their own clocks: keep an entry this much past the last possible expiry. */
const CLOCK_SKEW_SECONDS = 60;

/** Records revocations and publishes them, so every verifier refuses the ids' tokens at once. */
export class RevocationService {
  constructor(
    private readonly records: RevocationRepository,
    private readonly hub: RevocationHub,
    private readonly accessTokenTtlSeconds: number,
    private readonly clock: Clock,
  ) {}

  /** The revocations still in force, read at boot (rows past their `until` are deleted on the way). */
  async live(em: EntityManager): Promise<Revocation[]> {
    const now = this.clock();
    await this.records.deleteExpired(em, now);
    const rows = await this.records.live(em, now);
    return rows.map((r) => ({
      kind: r.kind as RevocationKind,
      id: r.subjectId,
      until: r.until.toISOString(),
      ...(r.issuedBefore ? { issuedBefore: r.issuedBefore.toISOString() } : {}),
    }));
  }

  /**
   * Call after the session or key change is flushed. No token carrying these ids can be issued any
   * more, so the last one expires at most one access-token lifetime from now.
   */
  async revoke(em: EntityManager, kind: 'session' | 'api_key', ids: readonly string[], reason: string): Promise<void> {
    await this.record(em, kind, ids, reason);
  }

  /**
   * A member's grant shrank (a role taken away): the tokens issued to them in the organization
   * until now are refused; the next one (refresh, new key exchange) carries the new permissions.
   */
  async revokeMemberTokens(
    em: EntityManager,
    organizationId: string,
    userIds: readonly string[],
    reason: string,
  ): Promise<void> {
    // Whole seconds, as `iat` is: the issuer dates tokens of this member no earlier than this.
    const issuedBefore = new Date(Math.ceil(this.clock().getTime() / 1000) * 1000);
    await this.record(
      em,
      'member',
      userIds.map((u) => memberRevocationId(organizationId, u)),
      reason,
      issuedBefore,
    );
  }

  private async record(
    requestEm: EntityManager,
    kind: Revocation['kind'],
    ids: readonly string[],
    reason: string,
    issuedBefore?: Date,
  ): Promise<void> {
    const unique = [...new Set(ids)];
    if (!unique.length) return;
    const until = new Date(this.clock().getTime() + (this.accessTokenTtlSeconds + CLOCK_SKEW_SECONDS) * 1000);
    // A fork of its own: a conflict here must not leave the request's unit of work half-written.
    const em = requestEm.fork();
    try {
      const known = new Map((await this.records.findBySubjects(em, kind, unique)).map((r) => [r.subjectId, r]));
      for (const id of unique) {
        const row = known.get(id);
        if (row) {
          row.until = row.until > until ? row.until : until;
          if (issuedBefore && (!row.issuedBefore || row.issuedBefore < issuedBefore)) row.issuedBefore = issuedBefore;
        } else
          em.persist(
            em.create(RevocationRecord, {
              kind,
              subjectId: id,
              until,
              reason,
              issuedBefore: issuedBefore ?? null,
              createdAt: this.clock(),
            }),
          );
      }
      await em.flush();
    } catch (error) {
      // Another request revoked the same id at the same moment: its row stands for both.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
    }
    this.hub.publish(
      unique.map((id) => ({
        kind,
        id,
        until: until.toISOString(),
        ...(issuedBefore ? { issuedBefore: issuedBefore.toISOString() } : {}),
      })),
    );
  }
}
