import { detectPii } from '../pii/pii.detector';
import type { Cell, ColumnMeta, Table } from './table.types';
import { columnValues, isMissing } from './table.types';
import { isDateOnly, looksLikeDatetime } from './datetime.util';

/** Catalog-side facts about a column that override inference. */
export interface ColumnHint {
  name: string;
  /** Catalog classification; `PII` (or `RESTRICTED`) marks a column never sampled from the source. */
  classification?: string | null;
  sdtype?: ColumnMeta['sdtype'];
  /** Model the column even when detection would call it PII (never allowed for a PII classification). */
  forceModel?: boolean;
  /** The job could not read the column's values (a PII column its user may not read): fake it, unseen. */
  unread?: boolean;
}

const BOOLEAN_TEXT = new Set(['true', 'false']);

function inferType(values: Cell[]): Pick<ColumnMeta, 'sdtype' | 'datetimeFormat'> {
  const present = values.filter((v) => !isMissing(v));
  if (present.length === 0) return { sdtype: 'categorical' };
  if (present.every((v) => typeof v === 'boolean' || (typeof v === 'string' && BOOLEAN_TEXT.has(v.toLowerCase())))) {
    return { sdtype: 'boolean' };
  }
  if (present.every((v) => typeof v === 'number')) return { sdtype: 'numerical' };
  if (present.every((v) => typeof v === 'string' && looksLikeDatetime(v))) {
    return { sdtype: 'datetime', datetimeFormat: present.every((v) => isDateOnly(v as string)) ? 'date' : 'datetime' };
  }
  return { sdtype: 'categorical' };
}

/**
 * Infers SDV-style metadata for every column: numerical, datetime (ISO text), boolean,
 * categorical; then marks PII from the catalog classification or by detection, so those columns
 * are never modelled from source values.
 */
export function inferColumns(table: Table, hints: ColumnHint[] = []): ColumnMeta[] {
  return table.columns.map((name) => {
    const values = columnValues(table, name);
    const hint = hints.find((h) => h.name === name);
    const inferred = inferType(values);
    const classifiedPii = hint?.classification != null && /^(PII|RESTRICTED|SENSITIVE)$/i.test(hint.classification);
    const detected = hint?.forceModel ? null : detectPii(name, values);
    if (classifiedPii || detected || hint?.sdtype === 'pii' || hint?.sdtype === 'id') {
      return {
        name,
        sdtype: detected === 'IDENTIFIER' || hint?.sdtype === 'id' ? 'id' : 'pii',
        piiKind: detected ?? 'OTHER',
        ...(hint?.unread ? { unread: true } : {}),
      };
    }
    if (hint?.sdtype) return { name, sdtype: hint.sdtype, datetimeFormat: inferred.datetimeFormat };
    return { name, ...inferred };
  });
}
