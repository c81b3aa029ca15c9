import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SDMETRICS_FIXTURES } from '../../../test/fixtures';
import { parseCsv } from '../src/table/csv.codec';
import type { ColumnMeta, SdType, Table } from '../src/table/table.types';
import { computeQualityReport } from '../src/metrics/quality.report';

const FIXTURES = SDMETRICS_FIXTURES;

interface Expected {
  columns: string[];
  thresholds: { real_correlation_threshold: number; real_association_threshold: number };
  column_shapes: { column: string; metric: string; score: number }[];
  column_pair_trends: { column1: string; column2: string; metric: string; score: number }[];
  overall_score: number;
  rows_real: number;
  rows_synthetic: number;
}

function loadJson<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as T;
}

function project(table: Table, columns: string[]): Table {
  const indexes = columns.map((c) => table.columns.indexOf(c));
  const missing = columns.filter((_, k) => indexes[k] === -1);
  if (missing.length) throw new Error(`the table has no column ${missing.join(', ')}`);
  return { columns, rows: table.rows.map((row) => indexes.map((i) => row[i] ?? null)) };
}

describe('quality metrics reproduce SDMetrics on its demo tables', () => {
  const expected = loadJson<Expected>('expected.json');
  const metadata = loadJson<{ tables: Record<string, { columns: Record<string, { sdtype: SdType }> }> }>(
    'metadata.json',
  );
  const placements = metadata.tables.student_placements;
  if (!placements) throw new Error('metadata.json has no student_placements table');
  // SDMetrics walks the metadata's columns in their order, keeping the test's subset.
  const columns: ColumnMeta[] = Object.entries(placements.columns)
    .filter(([name]) => expected.columns.includes(name))
    .map(([name, meta]) => ({ name, sdtype: meta.sdtype }));
  const names = columns.map((c) => c.name);
  const real = project(parseCsv(readFileSync(path.join(FIXTURES, 'student_placements_real.csv'), 'utf8')), names);
  const synthetic = project(
    parseCsv(readFileSync(path.join(FIXTURES, 'student_placements_synthetic.csv'), 'utf8')),
    names,
  );
  const report = computeQualityReport(real, synthetic, columns, {
    realCorrelationThreshold: expected.thresholds.real_correlation_threshold,
    realAssociationThreshold: expected.thresholds.real_association_threshold,
  });

  it('reads both tables whole', () => {
    expect(real.rows).toHaveLength(expected.rows_real);
    expect(synthetic.rows).toHaveLength(expected.rows_synthetic);
  });

  it('matches every Column Shapes score to 1e-9', () => {
    expect(report.columnShapes.details.map((d) => d.column)).toEqual(expected.column_shapes.map((d) => d.column));
    for (const want of expected.column_shapes) {
      const got = report.columnShapes.details.find((d) => d.column === want.column)!;
      expect(got.metric).toBe(want.metric);
      expect(Math.abs(got.score - want.score)).toBeLessThan(1e-9);
    }
  });

  it('matches every Column Pair Trends score to 1e-9', () => {
    expect(report.columnPairTrends.details).toHaveLength(expected.column_pair_trends.length);
    for (const want of expected.column_pair_trends) {
      const got = report.columnPairTrends.details.find(
        (d) => d.column1 === want.column1 && d.column2 === want.column2,
      )!;
      expect(got.metric).toBe(want.metric);
      expect(Math.abs(got.score - want.score)).toBeLessThan(1e-9);
    }
  });

  it('matches the overall score to 1e-9', () => {
    expect(Math.abs(report.overall - expected.overall_score)).toBeLessThan(1e-9);
  });
});
