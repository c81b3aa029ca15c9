import { describe, expect, it } from 'vitest';
import { distanceToClosestRecord } from '../src/privacy/dcr.util';
import { dcrBaselineProtection, dcrOverfittingProtection, exactMatchCount } from '../src/privacy/privacy.metrics';
import type { ColumnMeta, Table } from '../src/table/table.types';
import { vegaTable } from './datasets';
import { inferColumns } from '../src/table/column-inference';

describe('privacy metrics', () => {
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
