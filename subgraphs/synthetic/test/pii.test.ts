import { describe, expect, it } from 'vitest';
import { detectPii } from '../src/pii/pii.detector';
import { inferColumns } from '../src/table/column-inference';
import { synthesize } from '../src/synthesizer/synthesize';
import type { Table } from '../src/table/table.types';
import { columnValues } from '../src/table/table.types';
import { vegaTable } from './datasets';

/** Penguins with a customer's personal columns attached (the PII values are a seeded faker fixture). */
async function penguinsWithPeople(): Promise<Table> {
  const penguins = vegaTable('penguins');
  const { Faker, en, base } = await import('@faker-js/faker');
  const faker = new Faker({ locale: [en, base] });
  faker.seed(2024);
  return {
    columns: ['keeper_email', 'keeper_name', 'contact', 'badge', 'notes', ...penguins.columns],
    rows: penguins.rows.map((row, i) => [
      faker.internet.email(),
      faker.person.fullName(),
      faker.phone.number({ style: 'national' }),
      `PG-${String(10000 + i)}`,
      faker.lorem.word(),
      ...row,
    ]),
  };
}

describe('PII columns', async () => {
  const source = await penguinsWithPeople();

  it('detects emails, phones and identifiers by value and names by column name', () => {
    expect(detectPii('keeper_email', columnValues(source, 'keeper_email'))).toBe('EMAIL');
    expect(detectPii('col1', columnValues(source, 'keeper_email'))).toBe('EMAIL');
    expect(detectPii('contact', columnValues(source, 'contact'))).toBe('PHONE');
    expect(detectPii('badge', columnValues(source, 'badge'))).toBe('IDENTIFIER');
    expect(detectPii('customer_name', ['Anna'])).toBe('PERSON_NAME');
    expect(detectPii('Species', columnValues(source, 'Species'))).toBeNull();
    const metas = inferColumns(source, [{ name: 'notes', classification: 'PII' }]);
    expect(metas.find((m) => m.name === 'notes')?.sdtype).toBe('pii');
    expect(metas.find((m) => m.name === 'keeper_name')?.sdtype).toBe('pii');
  });

  it('never emits a source value in a PII column and keeps each value format', async () => {
    const result = await synthesize({
      source,
      columnHints: [{ name: 'notes', classification: 'PII' }],
      synthesizer: 'GAUSSIAN_COPULA',
      rows: 2000,
      seed: 9,
    });
    expect(result.privacy.piiColumns.sort()).toEqual(['badge', 'contact', 'keeper_email', 'keeper_name', 'notes']);
    for (const column of result.privacy.piiColumns) {
      const real = new Set(columnValues(source, column).map(String));
      const fake = columnValues(result.table, column).filter((v) => v !== null);
      expect(fake.length).toBeGreaterThan(1900);
      expect(fake.filter((v) => real.has(String(v)))).toEqual([]);
    }
    expect(columnValues(result.table, 'keeper_email').every((v) => /^[^@\s]+@[^@\s]+\.\w+$/.test(String(v)))).toBe(
      true,
    );
    const badges = columnValues(result.table, 'badge').map(String);
    expect(badges.every((v) => /^[A-Z]{2}-\d{5}$/.test(v))).toBe(true);
    expect(new Set(badges).size).toBe(badges.length);
    expect(result.privacy.exactMatchCount).toBe(0);
  });

  it('fills a date column classified PII (a birth date) with valid dates, never digit noise', async () => {
    const births = Array.from(
      { length: 60 },
      (_, i) => `19${40 + (i % 50)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    );
    const table: Table = { columns: ['birth_date', 'score'], rows: births.map((b, i) => [b, i % 7]) };
    const result = await synthesize({
      source: table,
      columnHints: [{ name: 'birth_date', classification: 'PII' }],
      synthesizer: 'GAUSSIAN_COPULA',
      rows: 300,
      seed: 3,
    });
    expect(result.privacy.piiColumns).toEqual(['birth_date']);
    const fake = columnValues(result.table, 'birth_date').map(String);
    const real = new Set(births);
    for (const v of fake) {
      expect(v).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10)).toBe(v);
      expect(real.has(v)).toBe(false);
    }
  });

  it('answers on long adversarial cells (the email pattern backtracks quadratically on them) and still finds emails', () => {
    const hostile = Array.from({ length: 20 }, (_, i) => `a@${'a.'.repeat(100_000)}${i}!`);
    expect(detectPii('notes', hostile)).toBe('IDENTIFIER');
    expect(
      detectPii(
        'c',
        Array.from({ length: 10 }, (_, i) => `user${i}@example.org`),
      ),
    ).toBe('EMAIL');
  });
});
