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
      const dictionary = dictionaries[c++];
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
  const refCount = reference.rows.length;
  const out: number[] = new Array(data.rows.length);
  for (let i = 0; i < data.rows.length; i++) {
    let best = Infinity;
    for (let j = 0; j < refCount && best > 0; j++) {
      let sum = 0;
      for (let k = 0; k < ref.numeric.length && sum < best * width; k++) {
        const a = rows.numeric[k][i];
        const b = ref.numeric[k][j];
        const aMissing = Number.isNaN(a);
        const bMissing = Number.isNaN(b);
        if (aMissing || bMissing) sum += aMissing && bMissing ? 0 : 1;
        else sum += ranges[k] > 0 ? Math.min(Math.abs(a - b) / ranges[k], 1) : a === b ? 0 : 1;
      }
      for (let k = 0; k < ref.codes.length && sum < best * width; k++) {
        if (rows.codes[k][i] !== ref.codes[k][j]) sum += 1;
      }
      const distance = sum / width;
      if (distance < best) best = distance;
    }
    out[i] = best;
  }
  return out;
}
