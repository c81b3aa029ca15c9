import { describe, expect, it } from 'vitest';
import { ClosestRecordIndex, distanceToClosestRecord } from '../src/privacy/dcr.util';
import { Rng } from '../src/math/rng';
import { dcrBaselineProtection, dcrOverfittingProtection, exactMatchCount } from '../src/privacy/privacy.metrics';
import type { Cell, ColumnMeta, Table } from '../src/table/table.types';
import { vegaTable } from './datasets';
import { inferColumns } from '../src/table/column-inference';

/** DCR by its definition, row by row over every reference row: the oracle for the index. */
function scanDcr(data: Table, reference: Table, columns: ColumnMeta[]): number[] {
  const used = columns.filter((c) => ['numerical', 'datetime', 'categorical', 'boolean'].includes(c.sdtype));
  const missing = (v: Cell): boolean => v === null || v === '' || (typeof v === 'number' && Number.isNaN(v));
  const num = (v: Cell, c: ColumnMeta): number =>
    missing(v) ? NaN : c.sdtype === 'datetime' ? Date.parse(String(v)) : Number(v);
  const at = (t: Table, row: Cell[], c: ColumnMeta): Cell => row[t.columns.indexOf(c.name)] ?? null;
  const ranges = used.map((c) => {
    const values = reference.rows.map((r) => num(at(reference, r, c), c)).filter((v) => !Number.isNaN(v));
    return values.length ? Math.max(...values) - Math.min(...values) : 0;
  });
  return data.rows.map((row) => {
    let best = Infinity;
    for (const ref of reference.rows) {
      let sum = 0;
      used.forEach((c, k) => {
        const a = at(data, row, c);
        const b = at(reference, ref, c);
        if (c.sdtype === 'categorical' || c.sdtype === 'boolean') {
          sum += (missing(a) && missing(b)) || (!missing(a) && !missing(b) && String(a) === String(b)) ? 0 : 1;
          return;
        }
        const x = num(a, c);
        const y = num(b, c);
        if (Number.isNaN(x) || Number.isNaN(y)) sum += Number.isNaN(x) && Number.isNaN(y) ? 0 : 1;
        else sum += ranges[k]! > 0 ? Math.min(Math.abs(x - y) / ranges[k]!, 1) : x === y ? 0 : 1;
      });
      best = Math.min(best, sum / used.length);
    }
    return best;
  });
}

/** A random table of every kind of DCR column: skewed and clustered numerics with gaps, a constant, dates, few and many categories. */
function randomDcrTable(rng: Rng, rows: number, spreadOut: boolean): Table {
  const categories = Array.from({ length: 45 }, (_, i) => `c${i}`);
  return {
    columns: ['x', 'y', 'flat', 'day', 'color', 'many', 'flag'],
    rows: Array.from({ length: rows }, () => {
      const cluster = rng.int(4);
      return [
        rng.next() < 0.1 ? null : Math.round((cluster * 10 + rng.normal() * (spreadOut ? 30 : 2)) * 10) / 10,
        rng.next() < 0.05 ? NaN : Math.exp(rng.normal()),
        rng.next() < 0.2 ? null : 7,
        new Date(Date.UTC(2024, 0, 1) + rng.int(spreadOut ? 2000 : 200) * 86_400_000).toISOString().slice(0, 10),
        rng.next() < 0.05 ? '' : ['red', 'green', 'blue'][(cluster + rng.int(2)) % 3]!,
        categories[rng.int(spreadOut ? 45 : 35)]!,
        rng.next() < 0.5,
      ];
    }),
  };
}

describe('privacy metrics', () => {
  it('finds the same closest-record distances as a scan of every reference row (random tables, nulls, constants, > 31 categories)', () => {
    const columns: ColumnMeta[] = [
      { name: 'x', sdtype: 'numerical' },
      { name: 'y', sdtype: 'numerical' },
      { name: 'flat', sdtype: 'numerical' },
      { name: 'day', sdtype: 'datetime' },
      { name: 'color', sdtype: 'categorical' },
      { name: 'many', sdtype: 'categorical' },
      { name: 'flag', sdtype: 'boolean' },
    ];
    const rng = new Rng(7);
    for (const [referenceRows, dataRows] of [
      [1, 20],
      [30, 40],
      [2500, 150],
    ] as const) {
      const reference = randomDcrTable(rng, referenceRows, false);
      // Rows like the reference, copies of it, and rows far outside it with unseen categories.
      const data = randomDcrTable(rng, dataRows, false);
      data.rows.push(...reference.rows.slice(0, 10), ...randomDcrTable(rng, dataRows, true).rows);
      const index = new ClosestRecordIndex(reference, columns);
      const expected = scanDcr(data, reference, columns);
      const found = index.distances(data);
      expect(found).toHaveLength(expected.length);
      found.forEach((d, i) => expect(Math.abs(d - expected[i]!), `row ${i}`).toBeLessThan(1e-12));
      expect(found.filter((d) => d === 0).length).toBe(expected.filter((d) => d === 0).length);
      // Asking again (the index is reused for the random baseline) gives the same answers.
      expect(index.distances(data)).toEqual(found);
      // Fewer columns: only the categories.
      const some = columns.filter((c) => c.sdtype !== 'numerical' && c.sdtype !== 'datetime');
      const few = scanDcr(data, reference, some);
      new ClosestRecordIndex(reference, some)
        .distances(data)
        .forEach((d, i) => expect(Math.abs(d - few[i]!)).toBeLessThan(1e-12));
    }
    expect(
      distanceToClosestRecord({ columns: ['x'], rows: [[1]] }, { columns: ['x'], rows: [] }, columns.slice(0, 1)),
    ).toEqual([Infinity]);
  });

  it('computes DCR as SDMetrics defines it (range of the reference, categorical 0/1, missing values)', () => {
    const columns: ColumnMeta[] = [{ name: 'A', sdtype: 'numerical' }];
    // SDMetrics issue #742: range 10, closest real value 4 or 6 away by 1 → 0.1.
    expect(
      distanceToClosestRecord(
        { columns: ['A'], rows: [[5]] },
        { columns: ['A'], rows: [[0], [10], [3], [4], [1]] },
        columns,
      ),
    ).toEqual([0.1]);
    const mixed: ColumnMeta[] = [
      { name: 'n', sdtype: 'numerical' },
      { name: 'c', sdtype: 'categorical' },
    ];
    const reference: Table = {
      columns: ['n', 'c'],
      rows: [
        [0, 'a'],
        [10, 'b'],
        [null, 'a'],
      ],
    };
    const data: Table = {
      columns: ['n', 'c'],
      rows: [
        [2, 'b'],
        [null, 'a'],
        [50, 'z'],
      ],
    };
    expect(distanceToClosestRecord(data, reference, mixed)).toEqual([0.4, 0, 1]);
  });

  it('scores copies as unprotected and counts exact matches', () => {
    const real = vegaTable('penguins');
    const columns = inferColumns(real);
    const copy = dcrBaselineProtection(real, real, columns, 1);
    expect(copy.medianDcrSynthetic).toBe(0);
    expect(copy.score).toBe(0);
    expect(exactMatchCount(real, real, real.columns)).toBe(real.rows.length);
    const overfit = dcrOverfittingProtection(
      { columns: real.columns, rows: real.rows.slice(0, 170) },
      { columns: real.columns, rows: real.rows.slice(0, 170) },
      { columns: real.columns, rows: real.rows.slice(170) },
      columns,
      1,
    );
    expect(overfit.closerToTraining).toBeGreaterThan(0.95);
    expect(overfit.score).toBeLessThan(0.1);
  });
});
