import { InvalidVersionError } from './registry.errors';

/** A version number, or the newest live version. */
export type VersionSelector = number | 'latest';

/** Parses `"latest"`, `-1` (Confluent's alias) or a positive integer. */
export function parseVersionSelector(raw: string | number | null | undefined): VersionSelector {
  if (raw === undefined || raw === null || raw === 'latest' || raw === -1 || raw === '-1') return 'latest';
  const n = typeof raw === 'number' ? raw : /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidVersionError(String(raw));
  return n;
}
