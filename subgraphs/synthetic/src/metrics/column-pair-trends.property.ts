import type { Cell, ColumnMeta, Table } from '../table/table.types';
import { categoryKey, columnValues, isMissing } from '../table/table.types';
import { toEpochMillis } from '../table/datetime.util';
import { contingencySimilarity, cramersV } from './contingency-similarity.metric';
import { correlationSimilarity } from './correlation-similarity.metric';
import { digitize, histogramBinEdges, nanMean } from './numeric.util';

/** One row of the Column Pair Trends details. */
export interface ColumnPairScore {
  column1: string;
  column2: string;
  metric: 'CorrelationSimilarity' | 'ContingencySimilarity';
  score: number;
  realCorrelation: number | null;
  syntheticCorrelation: number | null;
  realAssociation: number | null;
  /** Whether the pair counts towards the property score under the thresholds. */
  meetsThreshold: boolean;
}

/** The Column Pair Trends property: per-pair scores and the mean of the contributing ones. */
export interface ColumnPairTrendsResult {
  score: number;
  details: ColumnPairScore[];
}

/**
 * Thresholds of SDMetrics' QualityReport: a pair contributes to the average only when the real
 * data's |Pearson ρ| exceeds `realCorrelationThreshold` (continuous pairs) or its Cramér's V exceeds
 * `realAssociationThreshold` (other pairs). 0 makes every pair count.
 */
export interface PairThresholds {
  realCorrelationThreshold: number;
  realAssociationThreshold: number;
}

const CONTINUOUS = new Set(['numerical', 'datetime']);
const DISCRETE = new Set(['categorical', 'boolean']);

interface Prepared {
  numeric: Map<string, (number | null)[]>;
  binned: Map<string, Int32Array>;
  keys: Map<string, Int32Array>;
}

function toNumber(value: Cell, datetime: boolean): number | null {
  if (isMissing(value)) return null;
  if (datetime) return toEpochMillis(value);
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isNaN(n) ? null : n;
}

/**
 * Continuous columns are binned on each table's own 10 equal-width edges, as SDMetrics does;
 * discrete columns become integer codes from a dictionary shared by both tables.
 */
function prepare(table: Table, columns: ColumnMeta[], dictionaries: Map<string, Map<string, number>>): Prepared {
  const prepared: Prepared = { numeric: new Map(), binned: new Map(), keys: new Map() };
  for (const meta of columns) {
    const values = columnValues(table, meta.name);
    if (CONTINUOUS.has(meta.sdtype)) {
      const datetime = meta.sdtype === 'datetime';
      const parsed = new Map<Cell, number | null>();
      const numbers = values.map((v) => {
        if (typeof v === 'number' && !datetime) return Number.isNaN(v) ? null : v;
        let n = parsed.get(v);
        if (n === undefined) parsed.set(v, (n = toNumber(v, datetime)));
        return n;
      });
      prepared.numeric.set(meta.name, numbers);
      const edges = histogramBinEdges(numbers.filter((n): n is number => n !== null));
      // Filled in a loop: a typed array's from() with a mapping function walks an iterator, several times slower.
      const bins = new Int32Array(numbers.length);
      for (let i = 0; i < numbers.length; i++) bins[i] = digitize(numbers[i] ?? NaN, edges);
      prepared.binned.set(meta.name, bins);
    } else if (DISCRETE.has(meta.sdtype)) {
      let dictionary = dictionaries.get(meta.name);
      if (!dictionary) dictionaries.set(meta.name, (dictionary = new Map()));
      const dict = dictionary;
      const codes = new Int32Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const key = categoryKey(values[i]!);
        let code = dict.get(key);
        if (code === undefined) dict.set(key, (code = dict.size));
        codes[i] = code;
      }
      prepared.keys.set(meta.name, codes);
    }
  }
  return prepared;
}

function discrete(prepared: Prepared, meta: ColumnMeta): Int32Array {
  return CONTINUOUS.has(meta.sdtype) ? prepared.binned.get(meta.name)! : prepared.keys.get(meta.name)!;
}

/**
 * SDMetrics Column Pair Trends: for every pair of columns (metadata order), CorrelationSimilarity
 * when both are continuous, otherwise ContingencySimilarity on the discrete versions (continuous
 * columns in 10 bins). The score is the mean of the pairs that meet the thresholds.
 */
export function computeColumnPairTrends(
  real: Table,
  synthetic: Table,
  columns: ColumnMeta[],
  thresholds: PairThresholds,
): ColumnPairTrendsResult {
  const usable = columns.filter((c) => CONTINUOUS.has(c.sdtype) || DISCRETE.has(c.sdtype));
  const dictionaries = new Map<string, Map<string, number>>();
  const r = prepare(real, usable, dictionaries);
  const s = prepare(synthetic, usable, dictionaries);
  const details: ColumnPairScore[] = [];
  for (let i = 0; i < usable.length; i++) {
    for (let j = i + 1; j < usable.length; j++) {
      const a = usable[i]!;
      const b = usable[j]!;
      if (CONTINUOUS.has(a.sdtype) && CONTINUOUS.has(b.sdtype)) {
        const result = correlationSimilarity(
          [r.numeric.get(a.name)!, r.numeric.get(b.name)!],
          [s.numeric.get(a.name)!, s.numeric.get(b.name)!],
        );
        const meets =
          thresholds.realCorrelationThreshold <= 0 ||
          (!Number.isNaN(result.real) && Math.abs(result.real) > thresholds.realCorrelationThreshold);
        details.push({
          column1: a.name,
          column2: b.name,
          metric: 'CorrelationSimilarity',
          score: result.score,
          realCorrelation: Number.isNaN(result.real) ? null : result.real,
          syntheticCorrelation: Number.isNaN(result.synthetic) ? null : result.synthetic,
          realAssociation: null,
          meetsThreshold: meets,
        });
      } else {
        const realPair: [Int32Array, Int32Array] = [discrete(r, a), discrete(r, b)];
        const association = thresholds.realAssociationThreshold > 0 ? cramersV(realPair) : NaN;
        const meets =
          thresholds.realAssociationThreshold <= 0 ||
          (!Number.isNaN(association) && association > thresholds.realAssociationThreshold);
        details.push({
          column1: a.name,
          column2: b.name,
          metric: 'ContingencySimilarity',
          score: contingencySimilarity(realPair, [discrete(s, a), discrete(s, b)]),
          realCorrelation: null,
          syntheticCorrelation: null,
          realAssociation: Number.isNaN(association) ? null : association,
          meetsThreshold: meets,
        });
      }
    }
  }
  return { score: nanMean(details.filter((d) => d.meetsThreshold).map((d) => d.score)), details };
}
