import { BadUserInputError } from '../../../../lib/src/index';
import type { Dataset } from '../dataset/dataset.entity';

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

const encodeCursor = (offset: number): string => Buffer.from(`offset:${offset}`).toString('base64url');

function decodeCursor(cursor: string): number {
  const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m)
    throw new BadUserInputError('Invalid cursor', [
      { field: 'after', message: 'is not a cursor from this connection' },
    ]);
  return Number(m[1]) + 1;
}

/** Lower-case search terms, split on anything that is not a letter, digit, `_` or `-`. */
export function tokenize(query: string): string[] {
  return [
    ...new Set(
      query
        .toLowerCase()
        .split(/[^\p{L}\p{N}_-]+/u)
        .filter((t) => t.length > 0),
    ),
  ].slice(0, 16);
}

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
 * Ranks search candidates by `scoreDataset` (ties broken by most recently updated) and cuts the page
 * after the `after` cursor. Candidates must carry every wanted tag exactly; with terms, a candidate
 * must match at least one; without terms, the order is newest first.
 * @throws BadUserInputError (field `after`) for a cursor this connection did not hand out
 */
export function rankPage(
  candidates: Dataset[],
  terms: string[],
  tags: string[],
  first: number,
  after?: string | null,
): SearchPage {
  const ranked = candidates
    .filter((d) => tags.every((t) => d.tags.some((x) => x.toLowerCase() === t)))
    .map((dataset) => ({ dataset, score: terms.length ? scoreDataset(dataset, terms) : 0 }))
    .filter((h) => terms.length === 0 || h.score > 0)
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.dataset.updatedAt.getTime() - a.dataset.updatedAt.getTime() ||
        (a.dataset.id < b.dataset.id ? -1 : 1),
    );
  const start = after ? decodeCursor(after) : 0;
  const page = ranked.slice(start, start + first);
  return {
    hits: page.map((h, i) => ({ ...h, cursor: encodeCursor(start + i) })),
    totalCount: ranked.length,
    hasNextPage: start + first < ranked.length,
    hasPreviousPage: start > 0,
  };
}
