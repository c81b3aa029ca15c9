import { assert, describe, expect, it } from 'vitest';
import { classifyPiiColumns, PII_CATEGORIES, PII_VALUE_SHAPES, protectPiiColumn } from '../src/data/pii';

describe('PII detection (one category list, two policies)', () => {
  it('reports only categories of the one list', () => {
    const columns = [
      { name: 'email', values: ['a@example.org'] },
      { name: 'card', values: ['4111 1111 1111 1111'] },
      { name: 'home_address', values: ['1 Main St'] },
      { name: 'dob', values: ['1990-01-01'] },
    ];
    for (const f of classifyPiiColumns(columns)) expect(PII_CATEGORIES).toContain(f.kind);
    for (const name of ['first_name', 'surname', 'full_name', 'user_id', 'email', 'mobile'])
      expect(PII_CATEGORIES).toContain(protectPiiColumn(name, []));
  });

  it('CLASSIFY needs the column name for person names; PROTECT takes any "…name" column', () => {
    const names = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'];
    expect(classifyPiiColumns([{ name: 'city', values: ['New York', 'San Francisco'] }])).toEqual([]);
    expect(classifyPiiColumns([{ name: 'full_name', values: names }])).toEqual([
      {
        column: 'full_name',
        kind: 'PERSON_NAME',
        evidence: 'NAME_AND_VALUES',
        matchRate: 1,
        confidence: 1,
        reason: '100% of 3 sampled values are capitalised first and last names, and the column name suggests it',
      },
    ]);
    expect(classifyPiiColumns([{ name: 'customer_name', values: names }])).toEqual([]);
    expect(protectPiiColumn('customer_name', names)).toBe('PERSON_NAME');
    expect(protectPiiColumn('first_name', [])).toBe('FIRST_NAME');
  });

  it('CLASSIFY counts a value rule from the threshold share of non-null values', () => {
    const values = ['a@example.org', 'b@example.org', 'c@example.org', 'not an email', null];
    expect(classifyPiiColumns([{ name: 'c', values }], 0.7)).toEqual([
      {
        column: 'c',
        kind: 'EMAIL',
        evidence: 'VALUES',
        matchRate: 0.75,
        confidence: 0.68,
        reason: '75% of 4 sampled values are email addresses',
      },
    ]);
    expect(classifyPiiColumns([{ name: 'c', values }])).toEqual([]);
  });

  it('PROTECT calls free text unique on every row an identifier, but not numbers or dates', () => {
    const codes = Array.from({ length: 25 }, (_, i) => `K${i}x`);
    expect(protectPiiColumn('code', codes)).toBe('IDENTIFIER');
    expect(protectPiiColumn('code', codes.slice(0, 19))).toBeNull();
    expect(
      protectPiiColumn(
        'n',
        Array.from({ length: 25 }, (_, i) => String(i)),
      ),
    ).toBeNull();
    expect(
      protectPiiColumn(
        'd',
        Array.from({ length: 25 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`),
      ),
    ).toBeNull();
  });

  it('PROTECT decides on value shares exactly at their thresholds (80% e-mail, more than half dates), wherever the hits sit', () => {
    const emails = (hits: number, total: number, missesFirst: boolean): unknown[] => {
      const hit = Array.from({ length: hits }, (_, i) => `u${i}@example.org`);
      const miss = Array.from({ length: total - hits }, (_, i) => i * 1.5);
      return missesFirst ? [...miss, null, '', ...hit] : [...hit, null, ...miss];
    };
    for (const missesFirst of [false, true]) {
      expect(protectPiiColumn('contact', emails(80, 100, missesFirst))).toBe('EMAIL');
      expect(protectPiiColumn('contact', emails(79, 100, missesFirst))).not.toBe('EMAIL');
      // Half dates is not "more than half": the unique texts around them still make an identifier.
      const days = Array.from({ length: 20 }, (_, i) => `2024-02-${String(i + 1).padStart(2, '0')}`);
      const codes = Array.from({ length: 20 }, (_, i) => `K${i}x`);
      expect(protectPiiColumn('ref', missesFirst ? [...codes, ...days] : [...days, ...codes])).toBe('IDENTIFIER');
      expect(
        protectPiiColumn('ref', missesFirst ? [...codes, ...days, '2024-03-01'] : ['2024-03-01', ...days, ...codes]),
      ).toBeNull();
    }
    // One repeated text anywhere: not unique on every row, so not an identifier by uniqueness.
    const codes = Array.from({ length: 25 }, (_, i) => `K${i}x`);
    expect(protectPiiColumn('code', [...codes, 'K3x'])).toBeNull();
  });

  it('bounds the email pattern on long cells (ReDoS) and checks card numbers with Luhn', () => {
    const hostile = `a@${'a.'.repeat(100_000)}x`;
    const started = performance.now();
    expect(PII_VALUE_SHAPES.email(hostile)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(PII_VALUE_SHAPES.creditCard('4111 1111 1111 1111')).toBe(true);
    expect(PII_VALUE_SHAPES.creditCard('4111 1111 1111 1112')).toBe(false);
  });

  it('recognises dates first: an ISO date column is never PHONE, by value or by a phone-like name', () => {
    const days = Array.from(
      { length: 30 },
      (_, i) => `19${70 + (i % 10)}-0${1 + (i % 9)}-${String(1 + i).padStart(2, '0')}`,
    );
    expect(PII_VALUE_SHAPES.phone('1970-01-01')).toBe(false);
    expect(classifyPiiColumns([{ name: 'Year', values: days }])).toEqual([]);
    expect(classifyPiiColumns([{ name: 'telephone', values: days }])).toEqual([]);
    expect(classifyPiiColumns([{ name: 'when', values: ['31/12/2024', '01.02.2023', 'Jan 5, 2021'] }])).toEqual([]);
    expect(classifyPiiColumns([{ name: 'birth_date', values: days }])).toMatchObject([
      { kind: 'DATE_OF_BIRTH', evidence: 'NAME_AND_VALUES' },
    ]);
    expect(protectPiiColumn('d', days)).toBeNull();
  });

  it('PHONE needs values that libphonenumber-js validates; the name lowers the bar to most values', () => {
    const valid = ['+1 650 253 0000', '+44 20 7031 3000', '(650) 253-0000', '+49 30 303986300'];
    expect(valid.every((v) => PII_VALUE_SHAPES.phone(v))).toBe(true);
    expect(PII_VALUE_SHAPES.phone('555-0000')).toBe(false);
    expect(classifyPiiColumns([{ name: 'contact', values: valid }])).toMatchObject([
      { kind: 'PHONE', evidence: 'VALUES', matchRate: 1 },
    ]);
    // Three of five valid: enough with a phone-like name, not without.
    const mixed = [...valid.slice(0, 3), '123-4567', '000-000-0000'];
    expect(classifyPiiColumns([{ name: 'mobile', values: mixed }])).toMatchObject([
      { kind: 'PHONE', evidence: 'NAME_AND_VALUES', matchRate: 0.6 },
    ]);
    expect(classifyPiiColumns([{ name: 'contact', values: mixed }])).toEqual([]);
  });

  it('a column name alone is weak evidence, dropped when the values refute it', () => {
    const cars = ['chevrolet chevelle malibu', 'buick skylark 320', 'plymouth satellite', 'amc rebel sst'];
    expect(classifyPiiColumns([{ name: 'Name', values: cars }])).toEqual([]);
    expect(classifyPiiColumns([{ name: 'phone', values: ['n/a', 'unknown', 'none'] }])).toEqual([]);
    const [weak] = classifyPiiColumns([{ name: 'customer_id', values: ['a1', 'b2'] }]);
    assert.isDefined(weak);
    expect(weak).toMatchObject({ kind: 'PERSONAL_ID', evidence: 'NAME', confidence: 0.3 });
    expect(weak.reason).toContain('only the column name');
  });

  it('checks IBANs with mod-97', () => {
    expect(PII_VALUE_SHAPES.iban('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(PII_VALUE_SHAPES.iban('DE89370400440532013000')).toBe(true);
    expect(PII_VALUE_SHAPES.iban('GB82 WEST 1234 5698 7654 33')).toBe(false);
    expect(
      classifyPiiColumns([{ name: 'acct', values: ['GB82WEST12345698765432', 'DE89370400440532013000'] }]),
    ).toMatchObject([{ kind: 'IBAN', evidence: 'VALUES' }]);
  });
});
