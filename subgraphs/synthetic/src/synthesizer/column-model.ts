import type { Rng } from '../math/rng';
import type { Cell, ColumnMeta } from '../table/table.types';
import { categoryKey, isMissing } from '../table/table.types';
import { formatEpochMillis, toEpochMillis } from '../table/datetime.util';
import { extent } from '../metrics/numeric.util';
import { CategoricalMarginal } from './categorical.marginal';
import type { Category } from './categorical.marginal';
import type { SynthesisConstraint } from './constraints';
import { allowedFor, boundsFor } from './constraints';
import type { DpBudget } from './dp.mechanism';
import { noisyHistogram, stabilityThreshold } from './dp.mechanism';
import type { NumericMarginal } from './numeric.marginal';
import { EmpiricalMarginal, HistogramMarginal } from './numeric.marginal';

const MISSING = categoryKey(null);
const PRESENT = '\u0000present';
const DAY_MS = 86_400_000;
/** Bins of a differentially private numeric histogram. */
const DP_BINS = 20;

/** A numerical or datetime column: a continuous marginal plus, when values can be missing, a null indicator. */
export interface NumericColumnModel {
  kind: 'numeric';
  meta: ColumnMeta;
  index: number;
  marginal: NumericMarginal;
  nulls: CategoricalMarginal | null;
  /** Probability range of the marginal left by bound constraints. */
  uLow: number;
  uHigh: number;
  lower: number;
  upper: number;
  decimals: number;
  /** 10^decimals, kept to round without recomputing it per value. */
  scale: number;
}

/** A categorical or boolean column (missing values are one more category). */
export interface CategoricalColumnModel {
  kind: 'categorical';
  meta: ColumnMeta;
  index: number;
  marginal: CategoricalMarginal;
}

export type ColumnModel = NumericColumnModel | CategoricalColumnModel;

/** Numeric view of a cell for a numerical or datetime column. */
export function numericCell(value: Cell, meta: ColumnMeta): number | null {
  if (isMissing(value)) return null;
  if (meta.sdtype === 'datetime') return toEpochMillis(value);
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

function decimalsOf(values: number[]): number {
  let decimals = 0;
  for (const v of values) {
    const text = String(v);
    if (text.includes('e')) return 10;
    const dot = text.indexOf('.');
    if (dot >= 0) decimals = Math.max(decimals, text.length - dot - 1);
    if (decimals >= 10) return 10;
  }
  return decimals;
}

/** Options shared by the column fitters. */
export interface ColumnFitContext {
  constraints: SynthesisConstraint[];
  /** Set for the differentially private synthesizer. */
  dp: { budget: DpBudget; rng: Rng; boundsFromData: string[] } | null;
}

/** A numerical/datetime column as numbers (NaN = missing), each distinct datetime text parsed once. */
export function parseNumericColumn(cells: Cell[], meta: ColumnMeta): Float64Array {
  const out = new Float64Array(cells.length);
  const parsed = new Map<Cell, number | null>();
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (typeof cell === 'number' && meta.sdtype === 'numerical') {
      out[i] = Number.isFinite(cell) ? cell : NaN;
      continue;
    }
    let n = parsed.get(cell);
    if (n === undefined) {
      n = numericCell(cell, meta);
      parsed.set(cell, n);
    }
    out[i] = n ?? NaN;
  }
  return out;
}

/** Fits a numerical/datetime column: empirical marginal, or a Laplace-noised histogram under DP. */
export function fitNumericColumn(
  meta: ColumnMeta,
  index: number,
  numbers: Float64Array,
  ctx: ColumnFitContext,
): NumericColumnModel {
  const values: number[] = [];
  for (const n of numbers) if (!Number.isNaN(n)) values.push(n);
  const bounds = boundsFor(ctx.constraints, meta.name);
  const missing = numbers.length - values.length;
  let marginal: NumericMarginal;
  let nullWeights: [number, number];
  if (ctx.dp) {
    const range = extent(values);
    let lo = bounds.min ?? range?.min ?? 0;
    let hi = bounds.max ?? range?.max ?? 1;
    if (bounds.min == null || bounds.max == null) ctx.dp.boundsFromData.push(meta.name);
    if (hi <= lo) hi = lo + 1;
    const edges = Array.from({ length: DP_BINS + 1 }, (_, i) => lo + ((hi - lo) * i) / DP_BINS);
    const counts = new Array<number>(DP_BINS + 1).fill(0);
    for (const v of values) counts[Math.min(DP_BINS - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * DP_BINS)))]!++;
    counts[DP_BINS] = missing;
    const noisy = noisyHistogram(counts, ctx.dp.budget.marginalEpsilonPerColumn, ctx.dp.rng);
    marginal = new HistogramMarginal(edges, noisy.slice(0, DP_BINS));
    nullWeights = [noisy.slice(0, DP_BINS).reduce((a, b) => a + b, 0), noisy[DP_BINS]!];
    [lo, hi] = [edges[0]!, edges[DP_BINS]!];
  } else {
    marginal = new EmpiricalMarginal(values.length ? values : [bounds.min ?? 0]);
    nullWeights = [values.length, missing];
  }
  const lower = Math.max(bounds.min ?? -Infinity, marginal.min);
  const upper = Math.min(bounds.max ?? Infinity, marginal.max);
  const nulls =
    nullWeights[1] > 0 && nullWeights[0] > 0
      ? new CategoricalMarginal([
          { key: PRESENT, value: null, weight: nullWeights[0] },
          { key: MISSING, value: null, weight: nullWeights[1] },
        ])
      : null;
  return {
    kind: 'numeric',
    meta,
    index,
    marginal,
    nulls,
    uLow: bounds.min == null ? 0 : marginal.cdf(bounds.min),
    uHigh: bounds.max == null ? 1 : marginal.cdf(bounds.max),
    lower: lower <= upper ? lower : (bounds.min ?? lower),
    upper: lower <= upper ? upper : (bounds.max ?? upper),
    decimals: meta.sdtype === 'datetime' ? 0 : decimalsOf(values),
    scale: 10 ** (meta.sdtype === 'datetime' ? 0 : decimalsOf(values)),
  };
}

/** Fits a categorical/boolean column: category frequencies, noised and thresholded under DP. */
export function fitCategoricalColumn(
  meta: ColumnMeta,
  index: number,
  cells: Cell[],
  ctx: ColumnFitContext,
): CategoricalColumnModel {
  const byKey = new Map<string, Category>();
  for (const cell of cells) {
    const key = categoryKey(cell);
    const entry = byKey.get(key);
    if (entry) entry.weight++;
    else byKey.set(key, { key, value: isMissing(cell) ? null : cell, weight: 1 });
  }
  const allowed = allowedFor(ctx.constraints, meta.name);
  let categories = [...byKey.values()];
  if (ctx.dp) {
    const { budget, rng } = ctx.dp;
    // A public domain (allowed values) needs no threshold; otherwise only stable categories are released.
    const domain: Category[] = allowed
      ? [...allowed].map((key) => byKey.get(key) ?? { key, value: key, weight: 0 })
      : categories;
    const noisy = noisyHistogram(
      domain.map((c) => c.weight),
      budget.marginalEpsilonPerColumn,
      rng,
    );
    const threshold = allowed ? 0 : stabilityThreshold(budget.marginalEpsilonPerColumn, budget.categoryDeltaPerColumn);
    categories = domain.map((c, i) => ({ ...c, weight: noisy[i]! > threshold ? noisy[i]! : 0 }));
    if (categories.every((c) => c.weight === 0)) {
      categories = allowed ? categories.map((c) => ({ ...c, weight: 1 })) : [{ key: MISSING, value: null, weight: 1 }];
    }
  }
  let marginal = new CategoricalMarginal(categories);
  if (allowed) marginal = marginal.restrict(allowed, (key) => byKey.get(key)?.value ?? key);
  return { kind: 'categorical', meta, index, marginal };
}

/**
 * Writes a sampled number back in the column's representation (rounded, clamped, datetime text).
 * `dates` caches datetime texts across calls of one sampling run.
 */
export function formatNumeric(model: NumericColumnModel, value: number, dates?: Map<number, string>): Cell {
  let v = Math.min(Math.max(value, model.lower), model.upper);
  if (model.meta.sdtype === 'datetime') {
    const layout = model.meta.datetimeFormat ?? 'datetime';
    v = layout === 'date' ? Math.round(v / DAY_MS) * DAY_MS : Math.round(v);
    let text = dates?.get(v);
    if (text === undefined) {
      text = formatEpochMillis(v, layout);
      dates?.set(v, text);
    }
    return text;
  }
  const factor = model.scale;
  v = Math.round(v * factor) / factor;
  if (v > model.upper) v = Math.floor(model.upper * factor) / factor;
  if (v < model.lower) v = Math.ceil(model.lower * factor) / factor;
  return Object.is(v, -0) ? 0 : v;
}

/** The null indicator's key meaning "value present". */
export const PRESENT_KEY = PRESENT;
