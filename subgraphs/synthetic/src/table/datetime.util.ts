import type { Cell } from './table.types';
import { isMissing } from './table.types';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** True when the text looks like an ISO-8601 date or date-time that `toEpochMillis` can read. */
export function looksLikeDatetime(value: string): boolean {
  return ISO_LIKE.test(value) && !Number.isNaN(Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value));
}

/** True when the text is a calendar date without a time (`YYYY-MM-DD`). */
export function isDateOnly(value: string): boolean {
  return DATE_ONLY.test(value);
}

/**
 * Milliseconds since the epoch for a datetime cell (dates are read as UTC midnight,
 * like pandas' `to_datetime`), or `null` for a missing or unreadable value.
 */
export function toEpochMillis(value: Cell): number | null {
  if (isMissing(value)) return null;
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return null;
  // A date column repeats its texts (100k rows, a few thousand days): each is parsed once.
  const known = parsedTexts.get(value);
  if (known !== undefined) return known;
  const text = value.length === 10 && DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
  const ms = Date.parse(hasZone ? text : `${text.replace(' ', 'T')}Z`);
  const parsed = Number.isNaN(ms) ? null : ms;
  if (parsedTexts.size >= PARSED_TEXTS) parsedTexts.clear();
  parsedTexts.set(value, parsed);
  return parsed;
}

/** Texts toEpochMillis has read, with their value (emptied when it reaches PARSED_TEXTS entries). */
const parsedTexts = new Map<string, number | null>();
const PARSED_TEXTS = 1 << 16;

/** Writes epoch milliseconds back as text in the column's layout. */
export function formatEpochMillis(ms: number, layout: 'date' | 'datetime'): string {
  const iso = new Date(ms).toISOString();
  return layout === 'date' ? iso.slice(0, 10) : iso;
}
