import type { EntityManager } from '@mikro-orm/core';

/** Whether `em` talks to MongoDB (its entity manager has collections, SQL ones have query builders). */
export function isMongoEntityManager(em: EntityManager): boolean {
  return typeof (em as EntityManager & { getCollection?: unknown }).getCollection === 'function';
}

/**
 * The filter operator for "the column contains `text`" that the database behind `em` understands:
 * SQL `LIKE '%text%'` on SQLite and PostgreSQL, a regular expression matching `text` literally on
 * MongoDB (which has no `$like`; MikroORM turns `$re` into a RegExp there).
 */
export function containsText(em: EntityManager, text: string): { $like: string } | { $re: string } {
  if (isMongoEntityManager(em)) return { $re: text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') };
  return { $like: `%${text.replace(/\\/g, '')}%` };
}
