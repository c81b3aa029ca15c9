import type { Matrix } from '../math/linear-algebra';
import { cholesky, identity, nearestCorrelation } from '../math/linear-algebra';
import { normalCdf } from '../math/normal';
import { Rng } from '../math/rng';
import type { Cell, ColumnMeta, Table } from '../table/table.types';
import { columnValues, SyntheticInputError } from '../table/table.types';
import type { ColumnFitContext, ColumnModel } from './column-model';
import { fitCategoricalColumn, fitNumericColumn, formatNumeric, parseNumericColumn, PRESENT_KEY } from './column-model';
import type { SynthesisConstraint } from './constraints';
import { allowedFor, validateConstraints } from './constraints';
import { dimensionsOf, estimateCorrelation, estimateCorrelationDp, normalScores } from './copula.fit';
import type { DpBudget } from './dp.mechanism';
import { planBudget } from './dp.mechanism';

/** The synthesizers on offer. */
export type SynthesizerKind = 'GAUSSIAN_COPULA' | 'INDEPENDENT' | 'DP_GAUSSIAN_COPULA';

/** How to fit a table model. */
export interface FitOptions {
  synthesizer: SynthesizerKind;
  seed: number;
  constraints?: SynthesisConstraint[];
  /** Required for DP_GAUSSIAN_COPULA. */
  epsilon?: number | null;
  /** For DP_GAUSSIAN_COPULA; defaults to 1e-6. */
  delta?: number | null;
}

/** What the differentially private fit spent and where it could not be private. */
export interface DpAccount extends DpBudget {
  mechanism: string;
  correlationNoiseSigma: number;
  /** Numeric columns whose histogram range came from the data because no bounds constraint was given. */
  boundsFromData: string[];
}

/** A fitted model: per-column marginals and the copula's correlation (identity for INDEPENDENT). */
export interface TableModel {
  synthesizer: SynthesizerKind;
  sourceColumns: string[];
  columns: ColumnModel[];
  correlation: Matrix;
  factor: Matrix;
  dp: DpAccount | null;
}

const MODELLED = new Set(['numerical', 'datetime', 'categorical', 'boolean']);

/**
 * Fits the chosen synthesizer to a table. PII and id columns are not modelled at all: their
 * values never enter the model.
 * @throws SyntheticInputError for bad constraints or DP parameters.
 */
export function fitTableModel(table: Table, metas: ColumnMeta[], options: FitOptions): TableModel {
  const constraints = options.constraints ?? [];
  validateConstraints(constraints, metas);
  const rng = new Rng(options.seed);
  const modelled = metas.filter((m) => MODELLED.has(m.sdtype));
  let dpContext: ColumnFitContext['dp'] = null;
  if (options.synthesizer === 'DP_GAUSSIAN_COPULA') {
    if (options.epsilon == null) throw new SyntheticInputError('epsilon is required for DP_GAUSSIAN_COPULA', 'epsilon');
    const privateDomains = modelled.filter(
      (m) => (m.sdtype === 'categorical' || m.sdtype === 'boolean') && allowedFor(constraints, m.name) === null,
    ).length;
    try {
      const budget = planBudget(options.epsilon, options.delta ?? 1e-6, modelled.length, privateDomains);
      dpContext = { budget, rng: rng.fork('dp-marginals'), boundsFromData: [] };
    } catch (error) {
      throw new SyntheticInputError(
        (error as Error).message,
        /delta/.test((error as Error).message) ? 'delta' : 'epsilon',
      );
    }
  }
  const ctx: ColumnFitContext = { constraints, dp: dpContext };
  const numbers = new Map<number, Float64Array>();
  const columns: ColumnModel[] = modelled.map((meta) => {
    const index = table.columns.indexOf(meta.name);
    const cells = columnValues(table, meta.name);
    if (meta.sdtype === 'numerical' || meta.sdtype === 'datetime') {
      const parsed = parseNumericColumn(cells, meta);
      numbers.set(index, parsed);
      return fitNumericColumn(meta, index, parsed, ctx);
    }
    return fitCategoricalColumn(meta, index, cells, ctx);
  });
  const dims = columns.reduce((sum, m) => sum + dimensionsOf(m), 0);
  let correlation = identity(dims);
  let sigma = 0;
  if (options.synthesizer !== 'INDEPENDENT' && dims > 1 && table.rows.length > 2) {
    const scores = normalScores(columns, table.rows, numbers, rng.fork('scores'));
    if (dpContext) {
      const released = estimateCorrelationDp(scores, dpContext.budget, rng.fork('dp-correlation'));
      correlation = released.matrix;
      sigma = released.sigma;
    } else {
      correlation = estimateCorrelation(scores);
    }
  }
  let factor: Matrix;
  try {
    factor = cholesky(correlation);
  } catch {
    factor = cholesky(nearestCorrelation(correlation, 1e-4));
  }
  return {
    synthesizer: options.synthesizer,
    sourceColumns: table.columns,
    columns,
    correlation,
    factor,
    dp: dpContext
      ? {
          ...dpContext.budget,
          mechanism:
            'Laplace(2/ε_col) on each column histogram (numeric: 20 equal bins + null bin; categorical: stability threshold unless allowedValues make the domain public); analytic Gaussian mechanism on the clipped normal-score correlation matrix; replace-one neighbours; basic composition',
          correlationNoiseSigma: sigma,
          boundsFromData: dpContext.boundsFromData,
        }
      : null,
  };
}

/**
 * Draws `count` rows from the model, full width in the source's column order; columns the model
 * does not cover (PII, ids) are left null for the PII filler.
 */
export function sampleRows(model: TableModel, count: number, rng: Rng): Cell[][] {
  const d = model.factor.length;
  const normals = new Float64Array(d);
  const u = new Float64Array(d);
  const width = model.sourceColumns.length;
  const rows: Cell[][] = new Array(count);
  const dates = new Map<number, string>();
  for (let r = 0; r < count; r++) {
    for (let i = 0; i < d; i++) normals[i] = rng.normal();
    for (let i = 0; i < d; i++) {
      const li = model.factor[i]!;
      let z = 0;
      for (let k = 0; k <= i; k++) z += li[k]! * normals[k]!;
      u[i] = Math.min(Math.max(normalCdf(z), 1e-12), 1 - 1e-12);
    }
    const row: Cell[] = new Array(width).fill(null);
    let dim = 0;
    for (const column of model.columns) {
      if (column.kind === 'numeric') {
        const missing = column.nulls !== null && column.nulls.fromUniform(u[dim + 1]!).key !== PRESENT_KEY;
        if (!missing) {
          const p = column.uLow + u[dim]! * (column.uHigh - column.uLow);
          row[column.index] = formatNumeric(column, column.marginal.quantile(p), dates);
        }
        dim += column.nulls ? 2 : 1;
      } else {
        row[column.index] = column.marginal.fromUniform(u[dim]!).value;
        dim += 1;
      }
    }
    rows[r] = row;
  }
  return rows;
}
