import type { Cell, ColumnMeta, Table } from '../table/table.types';
import { categoryKey, columnValues, isMissing } from '../table/table.types';
import { toEpochMillis } from '../table/datetime.util';

const CONTINUOUS = new Set(['numerical', 'datetime']);
const DISCRETE = new Set(['categorical', 'boolean']);

/** Columns a DCR computation uses (SDMetrics: numerical, datetime, categorical, boolean). */
export function dcrColumns(columns: ColumnMeta[]): ColumnMeta[] {
  return columns.filter((c) => CONTINUOUS.has(c.sdtype) || DISCRETE.has(c.sdtype));
}

interface Encoded {
  numeric: Float64Array[];
  codes: Int32Array[];
}

function toNumber(value: Cell, meta: ColumnMeta): number {
  if (isMissing(value)) return NaN;
  if (meta.sdtype === 'datetime') return toEpochMillis(value) ?? NaN;
  return typeof value === 'number' ? value : Number(value);
}

function encode(table: Table, columns: ColumnMeta[], dictionaries: Map<string, number>[]): Encoded {
  const numeric: Float64Array[] = [];
  const codes: Int32Array[] = [];
  let c = 0;
  for (const meta of columns) {
    const values = columnValues(table, meta.name);
    if (CONTINUOUS.has(meta.sdtype)) {
      numeric.push(Float64Array.from(values, (v) => toNumber(v, meta)));
    } else {
      const dictionary = dictionaries[c++]!;
      codes.push(
        Int32Array.from(values, (v) => {
          const key = categoryKey(v);
          let code = dictionary.get(key);
          if (code === undefined) {
            code = dictionary.size;
            dictionary.set(key, code);
          }
          return code;
        }),
      );
    }
  }
  return { numeric, codes };
}

/**
 * SDMetrics' distance to closest record: for every row of `data`, the minimum over `reference`
 * rows of the mean per-column distance, where numerical/datetime columns contribute
 * |a − b| / range(reference) capped at 1 and categorical ones 0 when equal, else 1; two missing
 * values are at distance 0, one missing value at distance 1.
 */
export function distanceToClosestRecord(data: Table, reference: Table, columns: ColumnMeta[]): number[] {
  const used = dcrColumns(columns);
  const dictionaries = used.filter((c) => DISCRETE.has(c.sdtype)).map(() => new Map<string, number>());
  const ref = encode(reference, used, dictionaries);
  const rows = encode(data, used, dictionaries);
  const ranges = ref.numeric.map((col) => {
    let min = Infinity;
    let max = -Infinity;
    for (const v of col) {
      if (Number.isNaN(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return max > min ? max - min : 0;
  });
  const width = used.length;
  const nn = ref.numeric.length;
  const nc = ref.codes.length;
  const refCount = reference.rows.length;
  // Row-major copies keep the inner loop on contiguous memory.
  const refNumeric = new Float64Array(refCount * nn);
  const refCodes = new Int32Array(refCount * nc);
  for (let j = 0; j < refCount; j++) {
    for (let k = 0; k < nn; k++) refNumeric[j * nn + k]! = ref.numeric[k]![j]!;
    for (let k = 0; k < nc; k++) refCodes[j * nc + k]! = ref.codes[k]![j]!;
  }
  const rowNumeric = new Float64Array(nn);
  const rowCodes = new Int32Array(nc);
  const out: number[] = new Array(data.rows.length);
  for (let i = 0; i < data.rows.length; i++) {
    for (let k = 0; k < nn; k++) rowNumeric[k]! = rows.numeric[k]![i]!;
    for (let k = 0; k < nc; k++) rowCodes[k]! = rows.codes[k]![i]!;
    let best = Infinity;
    for (let j = 0; j < refCount && best > 0; j++) {
      // Stop adding once this reference row cannot beat the best one.
      const limit = best * width;
      let sum = 0;
      for (let k = 0; k < nc && sum < limit; k++) if (rowCodes[k] !== refCodes[j * nc + k]) sum += 1;
      for (let k = 0; k < nn && sum < limit; k++) {
        const a = rowNumeric[k]!;
        const b = refNumeric[j * nn + k]!;
        if (a !== a || b !== b) sum += a !== a && b !== b ? 0 : 1;
        else if (ranges[k]! > 0) sum += Math.min(Math.abs(a - b) / ranges[k]!, 1);
        else if (a !== b) sum += 1;
      }
      if (sum < limit) best = sum / width;
    }
    out[i] = best;
  }
  return out;
}
