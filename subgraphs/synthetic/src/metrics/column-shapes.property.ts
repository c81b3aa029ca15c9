import type { ColumnMeta, Table } from '../table/table.types';
import { columnValues } from '../table/table.types';
import { ksComplement } from './ks-complement.metric';
import { nanMean } from './numeric.util';
import { tvComplement } from './tv-complement.metric';

/** One row of the Column Shapes details. */
export interface ColumnShapeScore {
  column: string;
  metric: 'KSComplement' | 'TVComplement';
  score: number;
}

/** The Column Shapes property: per-column scores and their mean (NaN scores ignored). */
export interface ColumnShapesResult {
  score: number;
  details: ColumnShapeScore[];
}

/**
 * SDMetrics Column Shapes: KSComplement for numerical and datetime columns, TVComplement for
 * categorical and boolean ones, in metadata order; `id` and `pii` columns are skipped.
 */
export function computeColumnShapes(real: Table, synthetic: Table, columns: ColumnMeta[]): ColumnShapesResult {
  const details: ColumnShapeScore[] = [];
  for (const meta of columns) {
    const r = columnValues(real, meta.name);
    const s = columnValues(synthetic, meta.name);
    if (meta.sdtype === 'numerical' || meta.sdtype === 'datetime') {
      details.push({
        column: meta.name,
        metric: 'KSComplement',
        score: ksComplement(r, s, meta.sdtype === 'datetime'),
      });
    } else if (meta.sdtype === 'categorical' || meta.sdtype === 'boolean') {
      details.push({ column: meta.name, metric: 'TVComplement', score: tvComplement(r, s) });
    }
  }
  return { score: nanMean(details.map((d) => d.score)), details };
}
