import { Rng } from '../math/rng';
import { median } from '../metrics/numeric.util';
import type { Cell, ColumnMeta, Table } from '../table/table.types';
import { categoryKey, columnValues, isMissing } from '../table/table.types';
import { formatEpochMillis, toEpochMillis } from '../table/datetime.util';
import { ClosestRecordIndex, dcrColumns, distanceToClosestRecord } from './dcr.util';
import { RowIndex } from './row-index';

/** DCRBaselineProtection: how far synthetic rows are from real ones, relative to random rows. */
export interface DcrBaselineResult {
  score: number | null;
  medianDcrSynthetic: number;
  medianDcrRandom: number;
}

/** DCROverfittingProtection: whether synthetic rows sit closer to the training rows than to a holdout. */
export interface DcrOverfittingResult {
  score: number;
  closerToTraining: number;
  closerToHoldout: number;
}

function subsample(table: Table, maxRows: number, rng: Rng): Table {
  if (table.rows.length <= maxRows) return table;
  const indexes = Array.from({ length: table.rows.length }, (_, i) => i);
  for (let i = 0; i < maxRows; i++) {
    const j = i + rng.int(indexes.length - i);
    [indexes[i]!, indexes[j]!] = [indexes[j]!, indexes[i]!];
  }
  return { columns: table.columns, rows: indexes.slice(0, maxRows).map((i) => table.rows[i]!) };
}

/**
 * Random data as SDMetrics builds it for the baseline: as many rows as the synthetic sample,
 * numerical/datetime values uniform between the real min and max, categories uniform over the real ones.
 */
export function randomBaseline(real: Table, columns: ColumnMeta[], rows: number, rng: Rng): Table {
  const used = dcrColumns(columns);
  const generators = used.map((meta) => {
    // One pass over the column, no copies of it: this runs on the whole real table.
    const values = columnValues(real, meta.name);
    if (meta.sdtype === 'numerical' || meta.sdtype === 'datetime') {
      const datetime = meta.sdtype === 'datetime';
      let min = Infinity;
      let max = -Infinity;
      for (const v of values) {
        if (isMissing(v)) continue;
        const x = datetime ? (toEpochMillis(v) ?? 0) : Number(v);
        if (x < min) min = x;
        if (x > max) max = x;
      }
      if (!(min <= max)) min = max = 0;
      return (): Cell => {
        const x = min + rng.next() * (max - min);
        return datetime ? formatEpochMillis(x, 'datetime') : x;
      };
    }
    // Each category once, in the order first seen, as its last value (e.g. 1 or '1').
    const seen = new Map<string, Cell>();
    for (const v of values) if (!isMissing(v)) seen.set(categoryKey(v), v);
    const categories = [...seen.values()];
    return (): Cell => (categories.length ? rng.pick(categories) : null);
  });
  return {
    columns: used.map((c) => c.name),
    rows: Array.from({ length: rows }, () => generators.map((g) => g())),
  };
}

/**
 * SDMetrics DCRBaselineProtection: min(median DCR(synthetic → real) / median DCR(random → real), 1);
 * `score` is null when random data sits on the real data (median 0). At most `maxRows` synthetic
 * rows are compared (seeded subsample, like SDMetrics' `num_rows_subsample`).
 */
export function dcrBaselineProtection(
  real: Table,
  synthetic: Table,
  columns: ColumnMeta[],
  seed: number,
  maxRows = 1000,
): DcrBaselineResult {
  const rng = new Rng(seed).fork('dcr-baseline');
  const sample = subsample(synthetic, maxRows, rng);
  const random = randomBaseline(real, columns, sample.rows.length, rng);
  const index = new ClosestRecordIndex(real, columns);
  const medianDcrSynthetic = median(index.distances(sample));
  const medianDcrRandom = median(index.distances(random));
  return {
    score: medianDcrRandom > 0 ? Math.min(medianDcrSynthetic / medianDcrRandom, 1) : null,
    medianDcrSynthetic,
    medianDcrRandom,
  };
}

/**
 * SDMetrics DCROverfittingProtection: the share of synthetic rows strictly closer to the training
 * rows than to the holdout rows; score = min(2·(1 − share), 1).
 */
export function dcrOverfittingProtection(
  training: Table,
  synthetic: Table,
  holdout: Table,
  columns: ColumnMeta[],
  seed: number,
  maxRows = 1000,
): DcrOverfittingResult {
  const sample = subsample(synthetic, maxRows, new Rng(seed).fork('dcr-overfitting'));
  const toTraining = distanceToClosestRecord(sample, training, columns);
  const toHoldout = distanceToClosestRecord(sample, holdout, columns);
  let closer = 0;
  for (let i = 0; i < toTraining.length; i++) if (toTraining[i]! < toHoldout[i]!) closer++;
  const closerToTraining = toTraining.length ? closer / toTraining.length : 0;
  return { score: Math.min((1 - closerToTraining) * 2, 1), closerToTraining, closerToHoldout: 1 - closerToTraining };
}

/** Number of synthetic rows identical to some source row on every listed column. */
export function exactMatchCount(source: Table, synthetic: Table, columns: string[]): number {
  const index = new RowIndex(
    source.rows,
    columns.map((c) => source.columns.indexOf(c)),
  );
  const syntheticPositions = columns.map((c) => synthetic.columns.indexOf(c));
  let count = 0;
  for (const row of synthetic.rows) if (index.has(row, syntheticPositions)) count++;
  return count;
}
