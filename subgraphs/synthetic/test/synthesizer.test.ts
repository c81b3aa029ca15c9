import { describe, expect, it } from 'vitest';
import { exactMatchCount } from '../src/privacy/privacy.metrics';
import { synthesize } from '../src/synthesizer/synthesize';
import { SyntheticInputError } from '../src/table/table.types';
import { columnValues } from '../src/table/table.types';
import { vegaTable } from './datasets';

describe.each(['penguins', 'cars'])('Gaussian copula on %s', (name) => {
  const source = vegaTable(name);

  it('scores at least 0.85 overall, copies no row, and beats INDEPENDENT on Column Pair Trends', async () => {
    const copula = await synthesize({ source, synthesizer: 'GAUSSIAN_COPULA', rows: source.rows.length, seed: 7 });
    const independent = await synthesize({ source, synthesizer: 'INDEPENDENT', rows: source.rows.length, seed: 7 });
    expect(copula.table.rows).toHaveLength(source.rows.length);
    expect(copula.quality.overall).toBeGreaterThanOrEqual(0.85);
    expect(copula.privacy.exactMatchCount).toBe(0);
    expect(copula.privacy.exactMatchCountModelled).toBe(0);
    expect(copula.quality.columnPairTrends.score).toBeGreaterThan(independent.quality.columnPairTrends.score);
    // Pairs with a strong real correlation show it best: the copula keeps them, independence loses them.
    const strong = copula.quality.columnPairTrends.details.filter(
      (d) => d.metric === 'CorrelationSimilarity' && d.meetsThreshold,
    );
    expect(strong.length).toBeGreaterThan(0);
    for (const pair of strong) {
      const other = independent.quality.columnPairTrends.details.find(
        (d) => d.column1 === pair.column1 && d.column2 === pair.column2,
      )!;
      expect(pair.score).toBeGreaterThan(other.score);
    }
  });
});

describe('synthesis contract', () => {
  const source = vegaTable('penguins');

  it('counts copies of source rows on the modelled columns when every combination is a source row', async () => {
    // Two categories × two flags, all four combinations in the source: no redraw can avoid a copy on the modelled
    // columns, while the faked identifier makes every row differ from the source on all columns.
    const small = {
      columns: ['id', 'colour', 'flag'],
      rows: Array.from({ length: 40 }, (_, i) => [`user-${1000 + i}`, i % 2 ? 'red' : 'blue', i % 4 < 2]),
    };
    const result = await synthesize({
      source: small,
      columnHints: [{ name: 'id', sdtype: 'id' }],
      synthesizer: 'INDEPENDENT',
      rows: 30,
      seed: 5,
    });
    const modelled = result.model.columns.map((c) => c.meta.name);
    expect(modelled).toEqual(['colour', 'flag']);
    expect(result.privacy.exactMatchCountModelled).toBe(30);
    expect(result.privacy.exactMatchCountModelled).toBe(exactMatchCount(small, result.table, modelled));
    expect(result.privacy.exactMatchCount).toBe(0);
    expect(result.privacy.redrawnRows).toBeGreaterThan(0);
  });

  it('gives the same rows for the same seed and different rows for another seed', async () => {
    const a = await synthesize({ source, synthesizer: 'GAUSSIAN_COPULA', rows: 200, seed: 11 });
    const b = await synthesize({ source, synthesizer: 'GAUSSIAN_COPULA', rows: 200, seed: 11 });
    const c = await synthesize({ source, synthesizer: 'GAUSSIAN_COPULA', rows: 200, seed: 12 });
    expect(b.table).toEqual(a.table);
    expect(c.table).not.toEqual(a.table);
  });

  it('keeps missing values in their share and honours bounds and allowed categories', async () => {
    const result = await synthesize({
      source,
      synthesizer: 'GAUSSIAN_COPULA',
      rows: 2000,
      seed: 3,
      constraints: [
        { column: 'Body Mass (g)', min: 3500, max: 5000 },
        { column: 'Species', allowedValues: ['Adelie', 'Gentoo'] },
      ],
    });
    const mass = columnValues(result.table, 'Body Mass (g)').filter((v) => v !== null) as number[];
    expect(Math.min(...mass)).toBeGreaterThanOrEqual(3500);
    expect(Math.max(...mass)).toBeLessThanOrEqual(5000);
    expect(new Set(columnValues(result.table, 'Species'))).toEqual(new Set(['Adelie', 'Gentoo']));
    const sexMissing = columnValues(result.table, 'Sex').filter((v) => v === null).length / 2000;
    const sourceMissing = columnValues(source, 'Sex').filter((v) => v === null).length / source.rows.length;
    expect(Math.abs(sexMissing - sourceMissing)).toBeLessThan(0.03);
  });

  it('rejects bad constraints and parameters naming the field', async () => {
    const run = (extra: object) => synthesize({ source, synthesizer: 'GAUSSIAN_COPULA', rows: 10, seed: 1, ...extra });
    await expect(run({ constraints: [{ column: 'Species', min: 1 }] })).rejects.toMatchObject({
      field: 'constraints[0].min',
    });
    await expect(run({ constraints: [{ column: 'nope', min: 1 }] })).rejects.toMatchObject({
      field: 'constraints[0].column',
    });
    await expect(run({ rows: 0 })).rejects.toBeInstanceOf(SyntheticInputError);
    await expect(run({ synthesizer: 'DP_GAUSSIAN_COPULA' })).rejects.toMatchObject({ field: 'epsilon' });
  });

  it('measures overfitting against a holdout and records the split', async () => {
    const result = await synthesize({
      source,
      synthesizer: 'GAUSSIAN_COPULA',
      rows: 300,
      seed: 5,
      holdoutFraction: 0.3,
    });
    expect(result.holdoutRows).toBe(Math.round(source.rows.length * 0.3));
    expect(result.privacy.dcrOverfitting).not.toBeNull();
    expect(result.privacy.dcrOverfitting!.score).toBeGreaterThan(0);
    expect(result.privacy.dcrBaseline.score).toBeGreaterThan(0);
  });
});

describe('large sources', () => {
  it('fits (with DP bounds from the data) and scores a 250k-row source: no column is spread as call arguments', async () => {
    // Math.min(...column) overflows the stack from about 120k values on.
    const rows = Array.from({ length: 250_000 }, (_, i) => [(i * 7919) % 1000, i % 3 === 0 ? 'a' : 'b']);
    const source = { columns: ['n', 'c'], rows };
    const result = await synthesize({ source, synthesizer: 'DP_GAUSSIAN_COPULA', epsilon: 1, rows: 500, seed: 3 });
    expect(result.table.rows).toHaveLength(500);
    expect(result.privacy.dcrBaseline.medianDcrRandom).toBeGreaterThan(0);
    const values = columnValues(result.table, 'n') as number[];
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(999);
  });
});
