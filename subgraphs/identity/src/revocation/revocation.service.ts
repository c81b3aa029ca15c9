import type { EntityManager } from '@mikro-orm/core';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { RevocationKind } from '../../../../lib/src/index';
import { RevocationRecord } from './revocation.entity';
import type { RevocationHub } from './revocation.hub';
import type { Clock } from '../shared/actor.types';

/** Verifiers compare `exp` with their own clocks: keep an entry this much past the last possible expiry. */
const CLOCK_SKEW_SECONDS = 60;

/** Records revocations and publishes them, so every verifier refuses the ids' tokens at once. */
export class RevocationService {
  constructor(
    private readonly em: EntityManager,
    private readonly hub: RevocationHub,
    private readonly accessTokenTtlSeconds: number,
    private readonly clock: Clock,
  ) {}

  /**
   * Call after the session or key change is flushed. No token carrying these ids can be issued any
   * more, so the last one expires at most one access-token lifetime from now.
   */
  async revoke(kind: RevocationKind, ids: readonly string[], reason: string): Promise<void> {
    const unique = [...new Set(ids)];
    if (!unique.length) return;
    const until = new Date(this.clock().getTime() + (this.accessTokenTtlSeconds + CLOCK_SKEW_SECONDS) * 1000);
    // A fork of its own: a conflict here must not leave the request's unit of work half-written.
    const em = this.em.fork();
    try {
      const known = new Map((await em.find(RevocationRecord, { kind, subjectId: { $in: unique } })).map((r) => [r.subjectId, r]));
      for (const id of unique) {
        const row = known.get(id);
        if (row) row.until = row.until > until ? row.until : until;
        else em.persist(em.create(RevocationRecord, { kind, subjectId: id, until, reason, createdAt: this.clock() }));
      }
      await em.flush();
    } catch (error) {
      // Another request revoked the same id at the same moment: its row stands for both.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
    }
    this.hub.publish(unique.map((id) => ({ kind, id, until: until.toISOString() })));
  }
}
