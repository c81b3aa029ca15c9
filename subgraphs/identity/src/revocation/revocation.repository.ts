import type { EntityManager } from '@mikro-orm/core';
import { RevocationRecord } from './revocation.entity';

/** The revocation queries. Stateless: the caller's `em` is the unit of work. */
export class RevocationRepository {
  /** Deletes the rows whose tokens have all expired by `now`, bypassing the unit of work. */
  async deleteExpired(em: EntityManager, now: Date): Promise<void> {
    await em.nativeDelete(RevocationRecord, { until: { $lte: now } });
  }

  /** Rows still in force at `now`. */
  live(em: EntityManager, now: Date): Promise<RevocationRecord[]> {
    return em.find(RevocationRecord, { until: { $gt: now } });
  }

  findBySubjects(em: EntityManager, kind: string, subjectIds: string[]): Promise<RevocationRecord[]> {
    return em.find(RevocationRecord, { kind, subjectId: { $in: subjectIds } });
  }
}
