import type { Cell, ColumnMeta, Table } from '../table/table.types';
import { categoryKey, columnValues, isMissing } from '../table/table.types';
import { toEpochMillis } from '../table/datetime.util';

const CONTINUOUS = new Set(['numerical', 'datetime']);
const DISCRETE = new Set(['categorical', 'boolean']);

/** Columns a DCR computation uses (SDMetrics: numerical, datetime, categorical, boolean). */
export function dcrColumns(columns: ColumnMeta[]): ColumnMeta[] {
  return columns.filter((c) => CONTINUOUS.has(c.sdtype) || DISCRETE.has(c.sdtype));
}

/** Rows in one leaf of the index: scanned one by one. */
const LEAF_ROWS = 24;
/** Category codes from this one up share the last bit of a node's category mask. */
const MASK_BITS = 31;

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
    // Typed arrays filled in loops: from() with a mapping function walks an iterator, several times slower.
    if (CONTINUOUS.has(meta.sdtype)) {
      const column = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) column[i] = toNumber(values[i]!, meta);
      numeric.push(column);
    } else {
      const dictionary = dictionaries[c++]!;
      const column = new Int32Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const key = categoryKey(values[i]!);
        let code = dictionary.get(key);
        if (code === undefined) {
          code = dictionary.size;
          dictionary.set(key, code);
        }
        column[i] = code;
      }
      codes.push(column);
    }
  }
  return { numeric, codes };
}

/** Moves the `k`-th smallest key of `order[lo, hi)` to position `k` (quickselect, keys read through `key`). */
function selectNth(order: Int32Array, lo: number, hi: number, k: number, key: (row: number) => number): void {
  let left = lo;
  let right = hi - 1;
  while (right > left) {
    const pivot = key(order[(left + right) >> 1]!);
    let i = left;
    let j = right;
    while (i <= j) {
      while (key(order[i]!) < pivot) i++;
      while (key(order[j]!) > pivot) j--;
      if (i <= j) {
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

/**
 * A reference table encoded once and indexed for distance-to-closest-record queries (SDMetrics'
 * DCR): for a row, the minimum over reference rows of the mean per-column distance, where
 * numerical/datetime columns contribute |a − b| / range(reference) capped at 1 and categorical ones
 * 0 when equal, else 1; two missing values are at distance 0, one missing value at distance 1.
 *
 * The rows sit in a k-d tree whose nodes keep, per column, the range of their numeric values,
 * whether they hold missing ones, and a mask of their categories. A node's lower bound (each
 * column's distance to the node's range or mask, summed in the same order as a row's distance, so
 * never above any of its rows' sums in floating point) prunes the nodes that cannot hold a closer
 * row: the answer is the exact minimum a scan of every row gives, without scanning them.
 */
export class ClosestRecordIndex {
  private readonly used: ColumnMeta[];
  private readonly dictionaries: Map<string, number>[];
  private readonly width: number;
  private readonly nn: number;
  private readonly nc: number;
  private readonly ranges: Float64Array;
  /** Reference rows, row-major, in the tree's order. */
  private readonly refNumeric: Float64Array;
  private readonly refCodes: Int32Array;
  /** Per node: its rows [start, end) in tree order, its children (−1 for a leaf). */
  private readonly start: number[] = [];
  private readonly end: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  /** Per node and numeric column: min and max of the present values (min > max: none), any missing. */
  private readonly low: number[] = [];
  private readonly high: number[] = [];
  private readonly missing: number[] = [];
  /** Per node and categorical column: bit min(code, 31) set for each code present. */
  private readonly masks: number[] = [];
  private readonly rowNumeric: Float64Array;
  private readonly rowCodes: Int32Array;

  constructor(reference: Table, columns: ColumnMeta[]) {
    this.used = dcrColumns(columns);
    this.width = this.used.length;
    this.dictionaries = this.used.filter((c) => DISCRETE.has(c.sdtype)).map(() => new Map<string, number>());
    const ref = encode(reference, this.used, this.dictionaries);
    this.nn = ref.numeric.length;
    this.nc = ref.codes.length;
    this.ranges = Float64Array.from(ref.numeric, (col) => {
      let min = Infinity;
      let max = -Infinity;
      for (const v of col) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      return max > min ? max - min : 0;
    });
    const count = reference.rows.length;
    const order = new Int32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
    if (count > 0) this.build(ref, order, 0, count);
    const { nn, nc } = this;
    this.refNumeric = new Float64Array(count * nn);
    this.refCodes = new Int32Array(count * nc);
    for (let j = 0; j < count; j++) {
      const row = order[j]!;
      for (let k = 0; k < nn; k++) this.refNumeric[j * nn + k] = ref.numeric[k]![row]!;
      for (let k = 0; k < nc; k++) this.refCodes[j * nc + k] = ref.codes[k]![row]!;
    }
    this.rowNumeric = new Float64Array(nn);
    this.rowCodes = new Int32Array(nc);
  }

  /** The DCR of each row of `data` to the reference (Infinity when the reference has no rows). */
  distances(data: Table): number[] {
    const rows = encode(data, this.used, this.dictionaries);
    const out: number[] = new Array(data.rows.length);
    // No column to compare on: no distance (as a scan of the rows found none below Infinity).
    if (this.width === 0) return out.fill(Infinity);
    for (let i = 0; i < data.rows.length; i++) {
      for (let k = 0; k < this.nn; k++) this.rowNumeric[k] = rows.numeric[k]![i]!;
      for (let k = 0; k < this.nc; k++) this.rowCodes[k] = rows.codes[k]![i]!;
      const best = this.start.length > 0 ? this.descend(0, Infinity) : Infinity;
      out[i] = best / this.width;
    }
    return out;
  }

  /** Builds the node for rows `order[lo, hi)` and its subtree; returns the node's number. */
  private build(ref: Encoded, order: Int32Array, lo: number, hi: number): number {
    const node = this.start.length;
    const { nn, nc } = this;
    this.start.push(lo);
    this.end.push(hi);
    this.left.push(-1);
    this.right.push(-1);
    let split = -1;
    let splitSpread = 0;
    for (let k = 0; k < nn; k++) {
      const col = ref.numeric[k]!;
      let min = Infinity;
      let max = -Infinity;
      let nan = 0;
      for (let j = lo; j < hi; j++) {
        const v = col[order[j]!]!;
        if (v !== v) nan = 1;
        else {
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      this.low.push(min);
      this.high.push(max);
      this.missing.push(nan);
      // Present and missing values apart are worth a split too, when nothing else is.
      const spread = max > min ? Math.min((max - min) / this.ranges[k]!, 1) : nan && max >= min ? 1e-9 : 0;
      if (spread > splitSpread) [split, splitSpread] = [k, spread];
    }
    for (let k = 0; k < nc; k++) {
      const col = ref.codes[k]!;
      let mask = 0;
      const first = col[order[lo]!]!;
      let firstCount = 0;
      for (let j = lo; j < hi; j++) {
        const code = col[order[j]!]!;
        mask |= 1 << Math.min(code, MASK_BITS);
        if (code === first) firstCount++;
      }
      this.masks.push(mask);
      // A category mismatch costs a whole 1: splitting categories apart prunes the most.
      const spread = firstCount < hi - lo ? 1 : 0;
      if (spread >= splitSpread && spread > 0) [split, splitSpread] = [nn + k, spread];
    }
    if (hi - lo <= LEAF_ROWS || split < 0) return node;
    const mid = (lo + hi) >> 1;
    const key =
      split < nn
        ? (row: number): number => {
            const v = ref.numeric[split]![row]!;
            return v === v ? v : Infinity;
          }
        : (row: number): number => ref.codes[split - nn]![row]!;
    selectNth(order, lo, hi, mid, key);
    this.left[node] = this.build(ref, order, lo, mid);
    this.right[node] = this.build(ref, order, mid, hi);
    return node;
  }

  /** A sum no row of `node` can go below (each column's term summed in the rows' order). */
  private bound(node: number): number {
    const { nn, nc, rowNumeric, rowCodes } = this;
    let sum = 0;
    for (let k = 0; k < nc; k++) {
      const code = rowCodes[k]!;
      const mask = this.masks[node * nc + k]!;
      if (((mask >>> Math.min(code, MASK_BITS)) & 1) === 0) sum += 1;
    }
    for (let k = 0; k < nn; k++) {
      const a = rowNumeric[k]!;
      const min = this.low[node * nn + k]!;
      const max = this.high[node * nn + k]!;
      if (a !== a) {
        if (this.missing[node * nn + k] === 0) sum += 1;
      } else if (min > max) sum += 1;
      else if (a < min || a > max) {
        const range = this.ranges[k]!;
        sum += range > 0 ? Math.min((a < min ? min - a : a - max) / range, 1) : 1;
      }
    }
    return sum;
  }

  /** The smallest row sum under `node` if below `best`, else `best`. */
  private descend(node: number, best: number): number {
    const left = this.left[node]!;
    if (left < 0) return this.scan(node, best);
    const right = this.right[node]!;
    const leftBound = this.bound(left);
    const rightBound = this.bound(right);
    if (leftBound <= rightBound) {
      if (leftBound < best) best = this.descend(left, best);
      if (rightBound < best) best = this.descend(right, best);
    } else {
      if (rightBound < best) best = this.descend(right, best);
      if (leftBound < best) best = this.descend(left, best);
    }
    return best;
  }

  private scan(node: number, best: number): number {
    const { nn, nc, rowNumeric, rowCodes, refNumeric, refCodes, ranges } = this;
    for (let j = this.start[node]!, end = this.end[node]!; j < end && best > 0; j++) {
      let sum = 0;
      // Stop adding once this reference row cannot beat the best one.
      for (let k = 0; k < nc && sum < best; k++) if (rowCodes[k] !== refCodes[j * nc + k]) sum += 1;
      for (let k = 0; k < nn && sum < best; k++) {
        const a = rowNumeric[k]!;
        const b = refNumeric[j * nn + k]!;
        if (a !== a || b !== b) sum += a !== a && b !== b ? 0 : 1;
        else if (ranges[k]! > 0) sum += Math.min(Math.abs(a - b) / ranges[k]!, 1);
        else if (a !== b) sum += 1;
      }
      if (sum < best) best = sum;
    }
    return best;
  }
}

/** The DCR of each row of `data` to `reference` (see ClosestRecordIndex); build the index once to query it twice. */
export function distanceToClosestRecord(data: Table, reference: Table, columns: ColumnMeta[]): number[] {
  return new ClosestRecordIndex(reference, columns).distances(data);
}
