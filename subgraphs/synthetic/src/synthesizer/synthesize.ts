import { Rng } from '../math/rng';
import type { QualityReport } from '../metrics/quality.report';
import { computeQualityReport } from '../metrics/quality.report';
import { FakeValueGenerator } from '../pii/fake-value.generator';
import { fillPiiColumns } from '../pii/pii.filler';
import type { DcrBaselineResult, DcrOverfittingResult } from '../privacy/privacy.metrics';
import { dcrBaselineProtection, dcrOverfittingProtection, exactMatchCount } from '../privacy/privacy.metrics';
import { RowIndex } from '../privacy/row-index';
import type { ColumnHint } from '../table/column-inference';
import { inferColumns } from '../table/column-inference';
import type { Cell, ColumnMeta, Table } from '../table/table.types';
import { SyntheticInputError } from '../table/table.types';
import type { SynthesisConstraint } from './constraints';
import type { SynthesizerKind, TableModel } from './table-model';
import { fitTableModel, sampleRows } from './table-model';

/** Everything a synthesis run needs; same inputs and seed give the same output. */
export interface SynthesisRequest {
  source: Table;
  columnHints?: ColumnHint[];
  synthesizer: SynthesizerKind;
  rows: number;
  seed: number;
  constraints?: SynthesisConstraint[];
  epsilon?: number | null;
  delta?: number | null;
  /** Share of source rows held out of fitting to measure overfitting (0 disables, at most 0.5). */
  holdoutFraction?: number | null;
  /** Called between stages and chunks; may be async (progress events). */
  onProgress?: (progress: number, stage: string) => void | Promise<void>;
  /** Polled between chunks; returning true stops the run with `SynthesisCancelledError`. */
  isCancelled?: () => boolean | Promise<boolean>;
}

/** The privacy half of the report. */
export interface PrivacyReport {
  /** Synthetic rows equal to a source row on every column. */
  exactMatchCount: number;
  /** Synthetic rows equal to a source row on every modelled (non-PII) column. */
  exactMatchCountModelled: number;
  /** Rows redrawn because they reproduced a source row on the modelled columns. */
  redrawnRows: number;
  dcrBaseline: DcrBaselineResult;
  dcrOverfitting: DcrOverfittingResult | null;
  piiColumns: string[];
  /** PII columns faked without reading their source values (the job's user may not read PII). */
  piiColumnsNotRead: string[];
}

/** Output table, the model, and both reports. */
export interface SynthesisResult {
  table: Table;
  columns: ColumnMeta[];
  model: TableModel;
  quality: QualityReport;
  privacy: PrivacyReport;
  trainingRows: number;
  holdoutRows: number;
}

/** Thrown when `isCancelled` asked the run to stop. */
export class SynthesisCancelledError extends Error {
  constructor() {
    super('synthesis cancelled');
    this.name = 'SynthesisCancelledError';
  }
}

const CHUNK = 5_000;
const MAX_REDRAW_ROUNDS = 25;
export const MAX_ROWS = 5_000_000;

function splitHoldout(source: Table, fraction: number, rng: Rng): { training: Table; holdout: Table | null } {
  if (fraction <= 0 || source.rows.length < 10) return { training: source, holdout: null };
  const order = source.rows.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i]!, order[j]!] = [order[j]!, order[i]!];
  }
  const cut = Math.max(1, Math.round(source.rows.length * fraction));
  return {
    holdout: { columns: source.columns, rows: order.slice(0, cut).map((i) => source.rows[i]!) },
    training: { columns: source.columns, rows: order.slice(cut).map((i) => source.rows[i]!) },
  };
}

function sampleRowsOf(table: Table, count: number, rng: Rng): Table {
  if (table.rows.length <= count) return table;
  const order = table.rows.map((_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(order.length - i);
    [order[i]!, order[j]!] = [order[j]!, order[i]!];
  }
  return { columns: table.columns, rows: order.slice(0, count).map((i) => table.rows[i]!) };
}

async function checkpoint(request: SynthesisRequest, progress: number, stage: string): Promise<void> {
  if (request.isCancelled && (await request.isCancelled())) throw new SynthesisCancelledError();
  if (request.onProgress) await request.onProgress(progress, stage);
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Fits the synthesizer, generates the rows (redrawing any that copy a source row on the modelled
 * columns), fills PII columns with fake values, and evaluates quality and privacy.
 * @throws SyntheticInputError for invalid parameters, SynthesisCancelledError when cancelled.
 */
export async function synthesize(request: SynthesisRequest): Promise<SynthesisResult> {
  if (!Number.isInteger(request.rows) || request.rows < 1 || request.rows > MAX_ROWS) {
    throw new SyntheticInputError(`rows must be an integer between 1 and ${MAX_ROWS}`, 'rows');
  }
  if (request.source.rows.length < 2) throw new SyntheticInputError('the source needs at least two rows', 'source');
  const fraction = request.holdoutFraction ?? 0;
  if (!(fraction >= 0 && fraction <= 0.5))
    throw new SyntheticInputError('holdoutFraction must be between 0 and 0.5', 'holdoutFraction');
  const rng = new Rng(request.seed);
  const columns = inferColumns(request.source, request.columnHints ?? []);
  const { training, holdout } = splitHoldout(request.source, fraction, rng.fork('holdout'));
  await checkpoint(request, 0.02, 'FITTING');
  const model = fitTableModel(training, columns, {
    synthesizer: request.synthesizer,
    seed: request.seed,
    constraints: request.constraints,
    epsilon: request.epsilon,
    delta: request.delta,
  });
  const modelledPositions = model.columns.map((c) => c.index);
  const sourceRows = new RowIndex(request.source.rows, modelledPositions);
  const sampler = rng.fork('sample');
  const rows: Cell[][] = [];
  let redrawnRows = 0;
  while (rows.length < request.rows) {
    let chunk = sampleRows(model, Math.min(CHUNK, request.rows - rows.length), sampler);
    for (let round = 0; round < MAX_REDRAW_ROUNDS && modelledPositions.length > 0; round++) {
      const copies = chunk.filter((row) => sourceRows.has(row));
      if (copies.length === 0) break;
      redrawnRows += copies.length;
      const fresh = sampleRows(model, copies.length, sampler);
      chunk = chunk.filter((row) => !sourceRows.has(row)).concat(fresh);
    }
    rows.push(...chunk);
    await checkpoint(request, 0.05 + 0.6 * (rows.length / request.rows), 'GENERATING');
  }
  const fakes = await FakeValueGenerator.create(request.seed);
  const piiColumns = fillPiiColumns(rows, request.source, columns, fakes, rng.fork('pii'));
  const table: Table = { columns: request.source.columns, rows };
  await checkpoint(request, 0.7, 'EVALUATING');
  const quality = computeQualityReport(request.source, table, columns);
  await checkpoint(request, 0.8, 'EVALUATING');
  const dcrBaseline = dcrBaselineProtection(training, table, columns, request.seed);
  // DCR shrinks as the reference grows, so the training side is cut to the holdout's size for a fair race.
  const dcrOverfitting = holdout
    ? dcrOverfittingProtection(
        sampleRowsOf(training, holdout.rows.length, rng.fork('overfit-ref')),
        table,
        holdout,
        columns,
        request.seed,
      )
    : null;
  await checkpoint(request, 0.95, 'EVALUATING');
  return {
    table,
    columns,
    model,
    quality,
    privacy: {
      exactMatchCount: exactMatchCount(request.source, table, request.source.columns),
      // The redraw index covers the modelled columns, which the PII fill leaves alone.
      exactMatchCountModelled: rows.filter((row) => sourceRows.has(row)).length,
      redrawnRows,
      dcrBaseline,
      dcrOverfitting,
      piiColumns,
      piiColumnsNotRead: columns.filter((c) => c.unread).map((c) => c.name),
    },
    trainingRows: training.rows.length,
    holdoutRows: holdout?.rows.length ?? 0,
  };
}
