import { createHash } from 'node:crypto';

/** Longest DNS-1123 label: Service names must fit in it. */
const MAX_LABEL = 63;

/**
 * Lower-cases and replaces everything outside `[a-z0-9-]` so a display name can be part of a
 * Kubernetes object name.
 * @returns a slug, `x` when nothing usable is left.
 */
export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return slug || 'x';
}

/**
 * Joins parts into a DNS-1123 label. When too long, the name is cut and ends with a short hash of
 * the full name, so two long names that share a prefix still differ.
 * @returns a valid label of at most 63 characters.
 */
export function objectName(...parts: string[]): string {
  const full = parts.map(slugify).join('-');
  if (full.length <= MAX_LABEL) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_LABEL - 9).replace(/-+$/, '')}-${hash}`;
}
