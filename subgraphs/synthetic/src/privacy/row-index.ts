import type { Cell } from '../table/table.types';
import { isMissing } from '../table/table.types';

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

function cellHash(value: Cell, h: number): number {
  if (isMissing(value)) return Math.imul(h ^ 0x9e37, 0x01000193);
  if (typeof value === 'number') {
    scratch[0] = value;
    h = Math.imul(h ^ scratchWords[0]!, 0x01000193);
    return Math.imul(h ^ scratchWords[1]!, 0x01000193);
  }
  if (typeof value === 'boolean') return Math.imul(h ^ (value ? 0x51 : 0x52), 0x01000193);
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0xff, 0x01000193);
}

function sameCell(a: Cell, b: Cell): boolean {
  return a === b || (isMissing(a) && isMissing(b));
}

/**
 * A hash index of rows over some column positions, for exact-copy checks on large tables:
 * cells hash by value (number bits, string characters) and candidates are compared cell by cell.
 */
export class RowIndex {
  private readonly buckets = new Map<number, Cell[][]>();

  constructor(
    rows: Cell[][],
    private readonly positions: number[],
  ) {
    for (const row of rows) {
      const key = this.hash(row, positions);
      const bucket = this.buckets.get(key);
      if (bucket) bucket.push(row);
      else this.buckets.set(key, [row]);
    }
  }

  private hash(row: Cell[], positions: number[]): number {
    let h = 0x811c9dc5;
    for (const p of positions) h = cellHash(row[p] ?? null, h);
    return h;
  }

  /** Whether an indexed row equals `row` (read at `positions`, which default to the index's own). */
  has(row: Cell[], positions: number[] = this.positions): boolean {
    const bucket = this.buckets.get(this.hash(row, positions));
    if (!bucket) return false;
    return bucket.some((candidate) =>
      this.positions.every((p, i) => sameCell(candidate[p] ?? null, row[positions[i]!] ?? null)),
    );
  }
}
