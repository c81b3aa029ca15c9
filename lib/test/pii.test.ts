import { describe, expect, it } from 'vitest';
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
    for (const name of ['first_name', 'surname', 'full_name', 'user_id', 'email', 'mobile']) expect(PII_CATEGORIES).toContain(protectPiiColumn(name, []));
  });

  it('CLASSIFY needs the column name for person names; PROTECT takes any "…name" column', () => {
    const names = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'];
    expect(classifyPiiColumns([{ name: 'city', values: ['New York', 'San Francisco'] }])).toEqual([]);
    expect(classifyPiiColumns([{ name: 'full_name', values: names }])).toEqual([{ column: 'full_name', kind: 'PERSON_NAME', evidence: 'NAME_AND_VALUES', matchRate: 1 }]);
    expect(classifyPiiColumns([{ name: 'customer_name', values: names }])).toEqual([]);
    expect(protectPiiColumn('customer_name', names)).toBe('PERSON_NAME');
    expect(protectPiiColumn('first_name', [])).toBe('FIRST_NAME');
  });

  it('CLASSIFY counts a value rule from the threshold share of non-null values', () => {
    const values = ['a@example.org', 'b@example.org', 'c@example.org', 'not an email', null];
    expect(classifyPiiColumns([{ name: 'c', values }], 0.7)).toEqual([{ column: 'c', kind: 'EMAIL', evidence: 'VALUES', matchRate: 0.75 }]);
    expect(classifyPiiColumns([{ name: 'c', values }])).toEqual([]);
  });

  it('PROTECT calls free text unique on every row an identifier, but not numbers or dates', () => {
    const codes = Array.from({ length: 25 }, (_, i) => `K${i}x`);
    expect(protectPiiColumn('code', codes)).toBe('IDENTIFIER');
    expect(protectPiiColumn('code', codes.slice(0, 19))).toBeNull();
    expect(protectPiiColumn('n', Array.from({ length: 25 }, (_, i) => String(i)))).toBeNull();
    expect(protectPiiColumn('d', Array.from({ length: 25 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`))).toBeNull();
  });

  it('bounds the email pattern on long cells (ReDoS) and checks card numbers with Luhn', () => {
    const hostile = `a@${'a.'.repeat(100_000)}x`;
    const started = performance.now();
    expect(PII_VALUE_SHAPES.email(hostile)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(PII_VALUE_SHAPES.creditCard('4111 1111 1111 1111')).toBe(true);
    expect(PII_VALUE_SHAPES.creditCard('4111 1111 1111 1112')).toBe(false);
  });
});
