import type { Rng } from '../math/rng';
import type { Cell, ColumnMeta, Table } from '../table/table.types';
import { columnValues, isMissing } from '../table/table.types';
import type { FakeValueGenerator } from './fake-value.generator';

const MAX_ATTEMPTS = 100;

/**
 * Fills every PII and id column of the generated rows with fake values. A value equal to any
 * source value of that column is rejected and redrawn, so no source value is ever emitted;
 * identifiers are also unique. Missing values keep the source's missing share. A column the job
 * could not read (`unread`) has no source values to imitate or avoid: it is faked from its kind alone.
 */
export function fillPiiColumns(
  rows: Cell[][],
  source: Table,
  metas: ColumnMeta[],
  fakes: FakeValueGenerator,
  rng: Rng,
): string[] {
  const filled: string[] = [];
  for (const meta of metas) {
    if (meta.sdtype !== 'pii' && meta.sdtype !== 'id') continue;
    const index = source.columns.indexOf(meta.name);
    const sourceValues = meta.unread ? [] : columnValues(source, meta.name);
    const present = sourceValues.filter((v) => !isMissing(v));
    const forbidden = new Set(present.map(String));
    const missingShare = sourceValues.length ? (sourceValues.length - present.length) / sourceValues.length : 0;
    const unique = meta.sdtype === 'id' || meta.piiKind === 'IDENTIFIER';
    const used = new Set<string>();
    const kind = meta.piiKind ?? (meta.sdtype === 'id' ? 'IDENTIFIER' : 'OTHER');
    for (const row of rows) {
      if (rng.next() < missingShare) {
        row[index] = null;
        continue;
      }
      const template = present.length ? present[rng.int(present.length)]! : null;
      let value: Cell = null;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const candidate = fakes.next(kind, template);
        const key = String(candidate);
        if (forbidden.has(key) || (unique && used.has(key))) continue;
        value = candidate;
        break;
      }
      if (value === null) {
        // The shape's space is exhausted: widen it rather than reuse a source value.
        let widened = String(fakes.formatPreserving(template)) + String(used.size);
        while (forbidden.has(widened) || used.has(widened)) widened += String(rng.int(10));
        value = widened;
      }
      used.add(String(value));
      row[index] = value;
    }
    filled.push(meta.name);
  }
  return filled;
}
