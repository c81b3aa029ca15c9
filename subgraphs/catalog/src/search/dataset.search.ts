import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import type { Viewer } from '../../../../lib/src/index';
import { BadUserInputError } from '../../../../lib/src/index';
import { Dataset } from '../dataset/dataset.entity';
import type { Classification, DatasetFormat } from '../dataset/dataset.enums';
import { visibleDatasetFilter } from '../governance/access.service';

export interface DatasetSearchArgs {
  query?: string | null;
  tags?: string[] | null;
  classification?: Classification[] | null;
  ownerId?: string | null;
  format?: DatasetFormat | null;
  first: number;
  after?: string | null;
}

export interface SearchHit {
  dataset: Dataset;
  score: number;
  cursor: string;
}

export interface SearchPage {
  hits: SearchHit[];
  totalCount: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

// Candidates ranked per query; beyond this the newest datasets are ranked.
const CANDIDATE_LIMIT = 2000;

const encodeCursor = (offset: number): string => Buffer.from(`offset:${offset}`).toString('base64url');

function decodeCursor(cursor: string): number {
  const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new BadUserInputError('Invalid cursor', [{ field: 'after', message: 'is not a cursor from this connection' }]);
  return Number(m[1]) + 1;
}

/** Lower-case search terms, split on anything that is not a letter, digit, `_` or `-`. */
export function tokenize(query: string): string[] {
  return [...new Set(query.toLowerCase().split(/[^\p{L}\p{N}_-]+/u).filter((t) => t.length > 0))].slice(0, 16);
}

// LIKE is only a prefilter: `_` and `%` wildcards widen it and ranking filters exactly afterwards.
const likeTerm = (s: string): string => `%${s.replace(/\\/g, '')}%`;

/**
 * Relevance of a dataset to the terms: matches in the name weigh most, then tags, column names and
 * the description (with a small bonus per repeated occurrence). Zero means no term matched.
 */
export function scoreDataset(d: Pick<Dataset, 'name' | 'description' | 'tags' | 'columns'>, terms: string[]): number {
  const name = d.name.toLowerCase();
  const nameWords = name.split(/[^\p{L}\p{N}]+/u);
  const tags = d.tags.map((t) => t.toLowerCase());
  const columns = d.columns.map((c) => c.name.toLowerCase());
  const description = (d.description ?? '').toLowerCase();
  let score = 0;
  for (const t of terms) {
    if (name === t) score += 10;
    else if (nameWords.includes(t)) score += 6;
    else if (nameWords.some((w) => w.startsWith(t))) score += 4;
    else if (name.includes(t)) score += 3;
    if (tags.includes(t)) score += 5;
    else if (tags.some((x) => x.includes(t))) score += 2;
    if (columns.includes(t)) score += 4;
    else if (columns.some((c) => c.includes(t))) score += 2;
    const occurrences = description.split(t).length - 1;
    if (occurrences > 0) score += 1 + Math.min(occurrences - 1, 5) * 0.2;
  }
  return score;
}

/**
 * Full-text search over the datasets the viewer can see, with filters and Relay-style pagination:
 * the database narrows candidates (visibility, filters, a LIKE prefilter per term), then results are
 * ranked by `scoreDataset`, ties broken by most recently updated. Without a query, newest first.
 */
export async function searchDatasets(em: EntityManager, viewer: Viewer, args: DatasetSearchArgs): Promise<SearchPage> {
  if (args.first < 0 || args.first > 100) throw new BadUserInputError('first must be between 0 and 100', [{ field: 'first', message: 'must be between 0 and 100' }]);
  const terms = args.query ? tokenize(args.query) : [];
  const where: FilterQuery<Dataset>[] = [await visibleDatasetFilter(em, viewer)];
  if (args.classification?.length) where.push({ classification: { $in: args.classification } });
  if (args.ownerId) where.push({ ownerId: args.ownerId });
  if (args.format) where.push({ format: args.format });
  if (terms.length) where.push({ $or: terms.map((t) => ({ searchText: { $like: likeTerm(t) } })) });
  for (const tag of args.tags ?? []) where.push({ searchText: { $like: likeTerm(tag.toLowerCase()) } });
  const candidates = await em.find(Dataset, { $and: where }, { orderBy: { updatedAt: 'desc', id: 'asc' }, limit: CANDIDATE_LIMIT });
  const wantedTags = (args.tags ?? []).map((t) => t.toLowerCase());
  const ranked = candidates
    .filter((d) => wantedTags.every((t) => d.tags.some((x) => x.toLowerCase() === t)))
    .map((dataset) => ({ dataset, score: terms.length ? scoreDataset(dataset, terms) : 0 }))
    .filter((h) => terms.length === 0 || h.score > 0)
    .sort((a, b) => b.score - a.score || b.dataset.updatedAt.getTime() - a.dataset.updatedAt.getTime() || (a.dataset.id < b.dataset.id ? -1 : 1));
  const start = args.after ? decodeCursor(args.after) : 0;
  const page = ranked.slice(start, start + args.first);
  return {
    hits: page.map((h, i) => ({ ...h, cursor: encodeCursor(start + i) })),
    totalCount: ranked.length,
    hasNextPage: start + args.first < ranked.length,
    hasPreviousPage: start > 0,
  };
}
