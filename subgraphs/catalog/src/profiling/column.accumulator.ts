import { SeededRandom } from '../../../../lib/src/data/random';
import type { ColumnType, ValueKind } from './value.classifier';
import { classifyValue, resolveColumnType } from './value.classifier';

export interface HistogramBin {
  lower: number;
  upper: number;
  count: number;
}

export interface TopValue {
  value: string;
  count: number;
}

/** Statistics of one column. `stddev` is the sample standard deviation (n - 1 denominator). */
export interface ColumnProfile {
  name: string;
  type: ColumnType;
  nonNullCount: number;
  nullCount: number;
  nullFraction: number;
  distinctCount: number;
  /** False when the column had more distinct values than tracked: counts are then lower bounds. */
  distinctExact: boolean;
  min: number | null;
  max: number | null;
  mean: number | null;
  stddev: number | null;
  /** Smallest / largest value as text, for date and string columns (dates by time, strings by code unit). */
  minValue: string | null;
  maxValue: string | null;
  minLength: number | null;
  maxLength: number | null;
  topValues: TopValue[];
  histogram: HistogramBin[];
}

export interface ColumnAccumulatorOptions {
  /** Distinct values tracked per column before counts become approximate. @default 100000 */
  maxDistinct: number;
  topK: number;
  histogramBins: number;
}

/** Folds the values of one column, one at a time, into its profile (Welford for mean and variance). */
export class ColumnAccumulator {
  readonly name: string;
  private readonly options: ColumnAccumulatorOptions;
  private readonly kinds: Record<ValueKind, number> = {
    INTEGER: 0,
    FLOAT: 0,
    BOOLEAN: 0,
    DATE: 0,
    DATETIME: 0,
    STRING: 0,
  };
  private readonly counts = new Map<string, number>();
  private readonly numberCounts = new Map<number, number>();
  private overflow = false;
  private numericOverflow = false;
  private reservoir: number[] = [];
  /** Seeded, for reservoir sampling: a profile never changes between runs. */
  private readonly random = new SeededRandom(1);
  private present = 0;
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;
  private minTime: { t: number; v: string } | null = null;
  private maxTime: { t: number; v: string } | null = null;
  private minText: string | null = null;
  private maxText: string | null = null;
  private minLength = Infinity;
  private maxLength = -Infinity;

  constructor(name: string, options: ColumnAccumulatorOptions) {
    this.name = name;
    this.options = options;
  }

  /** Adds one cell; `fromText` marks CSV cells, whose numbers and booleans arrive as text. */
  add(value: unknown, fromText: boolean): void {
    const c = classifyValue(value, fromText);
    if (!c) return;
    this.present += 1;
    this.kinds[c.kind] += 1;
    const seen = this.counts.get(c.key);
    if (c.number !== undefined) this.addNumber(c.number);
    // A key counted before has already had its turn at the smallest and largest: only new ones can move them.
    if (seen !== undefined) {
      this.counts.set(c.key, seen + 1);
      return;
    }
    if (this.counts.size < this.options.maxDistinct) this.counts.set(c.key, 1);
    else this.overflow = true;
    if (c.kind === 'DATE' || c.kind === 'DATETIME') {
      const t = Date.parse(c.key);
      if (!this.minTime || t < this.minTime.t) this.minTime = { t, v: c.key };
      if (!this.maxTime || t > this.maxTime.t) this.maxTime = { t, v: c.key };
    }
    if (this.minText === null || c.key < this.minText) this.minText = c.key;
    if (this.maxText === null || c.key > this.maxText) this.maxText = c.key;
    if (c.key.length < this.minLength) this.minLength = c.key.length;
    if (c.key.length > this.maxLength) this.maxLength = c.key.length;
  }

  private addNumber(x: number): void {
    this.n += 1;
    const delta = x - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    const seen = this.numberCounts.get(x);
    if (seen !== undefined) this.numberCounts.set(x, seen + 1);
    else if (!this.numericOverflow && this.numberCounts.size < this.options.maxDistinct) this.numberCounts.set(x, 1);
    else this.numericOverflow = true;
    // Past the distinct cap the histogram comes from a uniform reservoir sample (Algorithm R).
    if (this.reservoir.length < this.options.maxDistinct) this.reservoir.push(x);
    else {
      const j = this.random.int(this.n);
      if (j < this.reservoir.length) this.reservoir[j] = x;
    }
  }

  private histogram(): HistogramBin[] {
    if (this.n === 0) return [];
    if (this.min === this.max) return [{ lower: this.min, upper: this.max, count: this.n }];
    const bins = this.options.histogramBins;
    const width = (this.max - this.min) / bins;
    const out: HistogramBin[] = Array.from({ length: bins }, (_, i) => ({
      lower: this.min + i * width,
      upper: i === bins - 1 ? this.max : this.min + (i + 1) * width,
      count: 0,
    }));
    const place = (v: number, c: number): void => {
      out[Math.min(bins - 1, Math.floor((v - this.min) / width))]!.count += c;
    };
    if (!this.numericOverflow) for (const [v, c] of this.numberCounts) place(v, c);
    else {
      const scale = this.n / this.reservoir.length;
      for (const v of this.reservoir) place(v, scale);
      for (const b of out) b.count = Math.round(b.count);
    }
    return out;
  }

  /** The column's profile over `rowCount` rows; absent and null cells both count as null. */
  finish(rowCount: number): ColumnProfile {
    const type = resolveColumnType(this.kinds);
    const numeric = type === 'INTEGER' || type === 'FLOAT';
    const temporal = type === 'DATE' || type === 'DATETIME';
    const textual = type === 'STRING';
    const topValues = [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, this.options.topK)
      .map(([value, count]) => ({ value, count }));
    const nullCount = rowCount - this.present;
    return {
      name: this.name,
      type,
      nonNullCount: this.present,
      nullCount,
      nullFraction: rowCount === 0 ? 0 : nullCount / rowCount,
      distinctCount: this.counts.size,
      distinctExact: !this.overflow,
      min: numeric ? this.min : null,
      max: numeric ? this.max : null,
      mean: numeric ? this.mean : null,
      stddev: numeric && this.n > 1 ? Math.sqrt(this.m2 / (this.n - 1)) : null,
      minValue: temporal ? this.minTime!.v : textual ? this.minText : null,
      maxValue: temporal ? this.maxTime!.v : textual ? this.maxText : null,
      minLength: textual ? this.minLength : null,
      maxLength: textual ? this.maxLength : null,
      topValues,
      histogram: numeric ? this.histogram() : [],
    };
  }
}
