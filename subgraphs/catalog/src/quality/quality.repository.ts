import type { EntityManager } from '@mikro-orm/core';
import { QualityCheck } from './quality-check.entity';
import { QualityRule } from './quality-rule.entity';

/** The quality queries: a dataset's rules and its check history. Stateless: the caller's `em` is the unit of work. */
export class QualityRepository {
  /** A dataset's rules in the order they were added. */
  rulesOf(em: EntityManager, datasetId: string): Promise<QualityRule[]> {
    return em.find(QualityRule, { datasetId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  findRule(em: EntityManager, organizationId: string, id: string): Promise<QualityRule | null> {
    return em.findOne(QualityRule, { id, organizationId });
  }

  findCheck(em: EntityManager, organizationId: string, id: string): Promise<QualityCheck | null> {
    return em.findOne(QualityCheck, { id, organizationId });
  }

  /** A dataset's checks, newest first, at most `first`. */
  checksOf(em: EntityManager, datasetId: string, first: number): Promise<QualityCheck[]> {
    return em.find(QualityCheck, { datasetId }, { orderBy: { createdAt: 'desc', id: 'asc' }, limit: first });
  }
}
