import { sha256Hex } from './canonical-json';
import type { ResolvedReference } from './schema-types';

/** SHA-256 over a canonical schema text and its references, so the same text with other references differs. */
export function schemaFingerprint(canonical: string, references: ResolvedReference[]): string {
  const refs = references.map((r) => `${r.name}\u0000${r.subject}\u0000${r.version}`).sort();
  return sha256Hex(refs.length ? `${canonical}\u0000${refs.join('\u0001')}` : canonical);
}
