import type { ColumnMeta, Table } from '../table/table.types';
import type { ColumnPairTrendsResult, PairThresholds } from './column-pair-trends.property';
import { computeColumnPairTrends } from './column-pair-trends.property';
import type { ColumnShapesResult } from './column-shapes.property';
import { computeColumnShapes } from './column-shapes.property';
import { nanMean } from './numeric.util';

/** SDMetrics QualityReport defaults (`DEFAULT_REAL_CORRELATION_THRESHOLD`, `DEFAULT_REAL_ASSOCIATION_THRESHOLD`). */
export const DEFAULT_PAIR_THRESHOLDS: PairThresholds = { realCorrelationThreshold: 0.5, realAssociationThreshold: 0.3 };

/** The quality report: both properties with details and their mean. */
export interface QualityReport {
  overall: number;
  columnShapes: ColumnShapesResult;
  columnPairTrends: ColumnPairTrendsResult;
  thresholds: PairThresholds;
}

/**
 * SDMetrics' single-table quality report without subsampling: the overall score is the mean
 * of Column Shapes and Column Pair Trends (NaN properties ignored).
 */
export function computeQualityReport(
  real: Table,
  synthetic: Table,
  columns: ColumnMeta[],
  thresholds: PairThresholds = DEFAULT_PAIR_THRESHOLDS,
): QualityReport {
  const columnShapes = computeColumnShapes(real, synthetic, columns);
  const columnPairTrends = computeColumnPairTrends(real, synthetic, columns, thresholds);
  return {
    overall: nanMean([columnShapes.score, columnPairTrends.score]),
    columnShapes,
    columnPairTrends,
    thresholds,
  };
}
