import fs from 'node:fs';
import path from 'node:path';
import { assert, describe, expect, it } from 'vitest';
import { readRecords } from '../src/content/record.reader';
import { evaluateQualityRules, scoreOf } from '../src/quality/quality.engine';
import { QualityRuleError } from '../src/quality/quality-rule.types';
import { VEGA_DATA } from './fixtures';

const penguins = JSON.parse(fs.readFileSync(path.join(VEGA_DATA, 'penguins.json'), 'utf8')) as Record<
  string,
  string | number | null
>[];
const now = new Date('2026-06-01T00:00:00Z');
const mass = penguins.map((r) => r['Body Mass (g)']).filter((v): v is number => typeof v === 'number');

describe('quality rules on penguins', () => {
  it('pass and fail where they should, with counts computed independently', async () => {
    const report = await evaluateQualityRules(
      penguins,
      [
        { id: 'a', type: 'columnValuesToBeNotNull', column: 'Species' },
        { id: 'b', type: 'columnValuesToBeNotNull', column: 'Sex' },
        { id: 'c', type: 'columnValuesToBeUnique', column: 'Species' },
        {
          id: 'd',
          type: 'columnValuesToBeBetween',
          column: 'Body Mass (g)',
          minValue: Math.min(...mass),
          maxValue: Math.max(...mass),
        },
        { id: 'e', type: 'columnValuesToBeBetween', column: 'Body Mass (g)', minValue: 3000, maxValue: 6000 },
        { id: 'f', type: 'columnValuesToMatchRegex', column: 'Species', regex: '^(Adelie|Chinstrap|Gentoo)$' },
        { id: 'g', type: 'columnValuesToMatchRegex', column: 'Sex', regex: '^(MALE|FEMALE)$' },
        { id: 'h', type: 'tableRowCountToBeBetween', minValue: 300, maxValue: 400 },
        { id: 'i', type: 'tableRowCountToBeBetween', maxValue: 100 },
        { id: 'j', type: 'columnValuesToBeNotNull', column: 'Wingspan' },
      ],
      { now },
    );
    const by = Object.fromEntries(report.results.map((r) => [r.ruleId, r]));
    expect(report.rowCount).toBe(344);
    expect(report.results.map((r) => r.status)).toEqual([
      'SUCCESS',
      'FAILED',
      'FAILED',
      'SUCCESS',
      'FAILED',
      'SUCCESS',
      'FAILED',
      'SUCCESS',
      'FAILED',
      'ABORTED',
    ]);
    expect(by.b.failedRows).toBe(penguins.filter((r) => r.Sex === null).length);
    expect(by.b.passedRows).toBe(penguins.filter((r) => r.Sex !== null).length);
    expect(by.c.failedRows).toBe(344 - 3);
    expect(by.c.observedValue).toBe('3');
    expect(by.e.failedRows).toBe(mass.filter((m) => m < 3000 || m > 6000).length);
    expect(by.e.passedRows).toBe(mass.filter((m) => m >= 3000 && m <= 6000).length);
    const oddSex = penguins.filter((r) => typeof r.Sex === 'string' && !/^(MALE|FEMALE)$/.test(r.Sex));
    expect(by.g.failedRows).toBe(oddSex.length);
    expect(by.g.sampleFailures).toEqual(oddSex.slice(0, 5).map((r) => r.Sex));
    expect(by.i.observedValue).toBe('344');
    expect(by.j.message).toBe('column Wingspan not found');
    expect(report.score).toBe(40);
  });

  it('measures freshness from a timestamp column or from the content', async () => {
    const file = path.join(VEGA_DATA, 'seattle-weather.csv');
    const run = (at: Date, column?: string): Promise<string> =>
      evaluateQualityRules(
        readRecords(fs.createReadStream(file), 'CSV'),
        [{ type: 'tableDataToBeFresh', column, maxAgeSeconds: 2 * 86400 }],
        {
          now: at,
          contentCreatedAt: new Date('2026-05-31T12:00:00Z'),
        },
      ).then((r) => `${r.results[0]!.status} ${r.results[0]!.observedValue}`);
    expect(await run(new Date('2016-01-01T12:00:00Z'), 'date')).toBe('SUCCESS 2015-12-31T00:00:00.000Z');
    expect(await run(now, 'date')).toBe('FAILED 2015-12-31T00:00:00.000Z');
    expect(await run(now)).toBe('SUCCESS 2026-05-31T12:00:00.000Z');
  });

  it('refuses rules whose parameters do not fit', async () => {
    const bad = (rule: any): Promise<unknown> => evaluateQualityRules([], [rule], { now });
    await expect(bad({ type: 'columnValuesToMatchRegex', column: 'x', regex: '(' })).rejects.toMatchObject({
      field: 'regex',
    });
    await expect(bad({ type: 'columnValuesToMatchRegex', column: 'x', regex: '^(?!admin)' })).rejects.toMatchObject({
      field: 'regex',
      message: expect.stringContaining('lookahead'),
    });
    await expect(bad({ type: 'columnValuesToMatchRegex', column: 'x', regex: '(a)\\1' })).rejects.toMatchObject({
      field: 'regex',
      message: expect.stringContaining('backreferences'),
    });
    expect(
      (
        await evaluateQualityRules(
          [{ x: 'ab' }],
          [{ type: 'columnValuesToMatchRegex', column: 'x', regex: '^(ab|cd)+$' }],
          { now },
        )
      ).score,
    ).toBe(100);
    await expect(bad({ type: 'columnValuesToBeBetween', column: 'x' })).rejects.toMatchObject({ field: 'minValue' });
    await expect(bad({ type: 'tableRowCountToBeBetween', minValue: 5, maxValue: 1 })).rejects.toMatchObject({
      field: 'maxValue',
    });
    await expect(bad({ type: 'columnValuesToBeUnique' })).rejects.toBeInstanceOf(QualityRuleError);
    await expect(bad({ type: 'tableDataToBeFresh' })).rejects.toMatchObject({ field: 'maxAgeSeconds' });
    await expect(bad({ type: 'nope' })).rejects.toMatchObject({ field: 'type' });
    expect(scoreOf([])).toBeNull();
  });

  it('runs catastrophic-backtracking regexes in linear time, with the right answers', async () => {
    const long = 'a'.repeat(50_000);
    const rows = [{ x: long }, { x: `${long}!` }, { x: null }];
    for (const regex of ['^(a+)+$', '^(a|aa)+$', '^(a|a?)+$', '^(\\w{2,}\\.?)*$']) {
      const report = await evaluateQualityRules(rows, [{ type: 'columnValuesToMatchRegex', column: 'x', regex }], {
        now,
      });
      const result = report.results[0];
      assert.isDefined(result);
      const { status, passedRows, failedRows } = result;
      expect({ regex, status, passedRows, failedRows }).toEqual({
        regex,
        status: 'FAILED',
        passedRows: 1,
        failedRows: 1,
      });
    }
    const all = await evaluateQualityRules(
      [{ x: long }],
      [{ type: 'columnValuesToMatchRegex', column: 'x', regex: '^(a+)+$' }],
      { now },
    );
    expect(all.score).toBe(100);
  });
});

describe('quality rules on columns named like Object members', () => {
  const PROTO_KEYS = [
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
    'isPrototypeOf',
  ];
  const rulesOn = (column: string) =>
    [
      { type: 'columnValuesToBeNotNull', column },
      { type: 'columnValuesToBeUnique', column },
      { type: 'columnValuesToBeBetween', column, minValue: 0, maxValue: 10 },
      { type: 'columnValuesToMatchRegex', column, regex: '^[a-z]+$' },
      { type: 'tableDataToBeFresh', column, maxAgeSeconds: 60 },
    ] as const;

  it('aborts every rule on such a column when the records do not have it', async () => {
    for (const column of PROTO_KEYS) {
      const report = await evaluateQualityRules([{ x: 1 }, { x: 2 }], rulesOn(column), { now });
      expect(report.results.map((r) => [column, r.type, r.status, r.message])).toEqual(
        rulesOn(column).map((r) => [column, r.type, 'ABORTED', `column ${column} not found`]),
      );
    }
  });

  it('checks the values when the records do have it (JSON Lines keys are own properties)', async () => {
    for (const column of PROTO_KEYS) {
      const records = [
        JSON.parse(`{"${column}": 3}`),
        JSON.parse(`{"${column}": null}`),
        JSON.parse(`{"${column}": 30}`),
      ] as Record<string, unknown>[];
      const report = await evaluateQualityRules(
        records,
        [
          { type: 'columnValuesToBeNotNull', column },
          { type: 'columnValuesToBeBetween', column, minValue: 0, maxValue: 10 },
        ],
        { now },
      );
      expect(report.results.map((r) => [column, r.status, r.passedRows, r.failedRows])).toEqual([
        [column, 'FAILED', 2, 1],
        [column, 'FAILED', 1, 1],
      ]);
    }
  });
});
