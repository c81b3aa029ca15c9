import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ContentFormatError, readRecords, takeRecords } from '../src/content/record.reader';
import { profileContent } from '../src/profiling/dataset.profiler';
import { VEGA_DATA } from './fixtures';

const penguins = JSON.parse(fs.readFileSync(path.join(VEGA_DATA, 'penguins.json'), 'utf8')) as Record<
  string,
  string | number | null
>[];
const penguinsJsonl = penguins.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** Splits text into small chunks so records straddle chunk boundaries (a multi-byte char too). */
function chunks(text: string, size: number): AsyncIterable<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

// Two-pass textbook formulas, independent of the streaming (Welford) implementation under test.
const min = (v: number[]): number => v.reduce((a, b) => (b < a ? b : a));
const max = (v: number[]): number => v.reduce((a, b) => (b > a ? b : a));
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const sampleStandardDeviation = (v: number[]): number => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
};

function histogramOf(values: number[], bins: number): number[] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[v === hi ? bins - 1 : Math.floor(((v - lo) / (hi - lo)) * bins)]! += 1;
  return counts;
}

function topOf(values: string[], k: number): { value: string; count: number }[] {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, k)
    .map(([value, count]) => ({ value, count }));
}

describe('profiling JSON Lines (vega-datasets penguins)', () => {
  it('matches statistics computed independently', async () => {
    const profile = await profileContent(chunks(penguinsJsonl, 97), 'JSONL');
    expect(profile.rowCount).toBe(344);
    expect(profile.columns.map((c) => c.name)).toEqual(Object.keys(penguins[0]!));
    for (const col of ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)']) {
      const values = penguins.map((r) => r[col]).filter((v): v is number => typeof v === 'number');
      const p = profile.columns.find((c) => c.name === col)!;
      expect(p.nullCount).toBe(344 - values.length);
      expect(p.nullFraction).toBeCloseTo((344 - values.length) / 344, 15);
      expect(p.distinctCount).toBe(new Set(values).size);
      expect(p.min).toBe(min(values));
      expect(p.max).toBe(max(values));
      expect(p.mean).toBeCloseTo(mean(values), 10);
      expect(p.stddev).toBeCloseTo(sampleStandardDeviation(values), 10);
      expect(p.histogram.map((b) => b.count)).toEqual(histogramOf(values, 10));
      expect(p.histogram[0]!.lower).toBe(min(values));
      expect(p.histogram[9]!.upper).toBe(max(values));
      expect(p.topValues).toEqual(topOf(values.map(String), 10));
    }
    const types = Object.fromEntries(profile.columns.map((c) => [c.name, c.type]));
    expect(types).toEqual({
      Species: 'STRING',
      Island: 'STRING',
      'Beak Length (mm)': 'FLOAT',
      'Beak Depth (mm)': 'FLOAT',
      'Flipper Length (mm)': 'INTEGER',
      'Body Mass (g)': 'INTEGER',
      Sex: 'STRING',
    });
    const sex = profile.columns.find((c) => c.name === 'Sex')!;
    const sexValues = penguins.map((r) => r.Sex).filter((v): v is string => typeof v === 'string');
    expect(sex.nullCount).toBe(penguins.filter((r) => r.Sex === null).length);
    expect(sex.topValues).toEqual(topOf(sexValues, 10));
    expect(sex.distinctCount).toBe(new Set(sexValues).size);
    expect(sex.mean).toBeNull();
    expect(sex.histogram).toEqual([]);
    expect(profile.columns.find((c) => c.name === 'Species')!.topValues).toEqual(
      topOf(
        penguins.map((r) => r.Species as string),
        10,
      ),
    );
  });

  it('counts a missing key as null and reports the line of a malformed row', async () => {
    const p = await profileContent(chunks('{"a":1,"b":"é"}\n{"a":2}\n\n{"b":"x"}', 5), 'JSONL');
    expect(p.rowCount).toBe(3);
    expect(p.columns.map((c) => [c.name, c.nullCount, c.type])).toEqual([
      ['a', 1, 'INTEGER'],
      ['b', 1, 'STRING'],
    ]);
    await expect(profileContent(chunks('{"a":1}\n[1]\n', 4), 'JSONL')).rejects.toThrow(
      new ContentFormatError(2, 'each line must be a JSON object'),
    );
    await expect(profileContent(chunks('{"a":1}\n{"a":\n', 4), 'JSONL')).rejects.toBeInstanceOf(ContentFormatError);
  });
});

describe('profiling rows whose keys move', () => {
  it('gives each column the same profile whatever the order of keys in each row, with its extremes among repeated values', async () => {
    // Deterministic rows: dates and words repeat, some rows lack a key, key order changes from row to row.
    const words = ['pear', 'apple', 'fig', 'Zebra', 'kiwi', 'éclair'];
    const rows = Array.from({ length: 400 }, (_, i) => {
      const row: Record<string, unknown> = {
        day: `2024-0${1 + ((i * 7) % 9)}-${String(1 + ((i * 13) % 28)).padStart(2, '0')}`,
        word: words[(i * 5) % words.length],
        n: (i * 37) % 101,
      };
      if (i % 11 === 0) delete row.word;
      if (i % 17 === 0) row.late = `x${i % 3}`;
      return row;
    });
    const rotate = (row: Record<string, unknown>, by: number): Record<string, unknown> => {
      const keys = Object.keys(row);
      return Object.fromEntries(keys.map((_, k) => keys[(k + by) % keys.length]!).map((key) => [key, row[key]]));
    };
    const jsonl = (rs: Record<string, unknown>[]): string => rs.map((r) => JSON.stringify(r)).join('\n') + '\n';
    const byName = (profile: Awaited<ReturnType<typeof profileContent>>) =>
      Object.fromEntries(profile.columns.map((c) => [c.name, c]));
    const steady = byName(await profileContent(chunks(jsonl(rows), 301), 'JSONL'));
    const moving = byName(await profileContent(chunks(jsonl(rows.map((r, i) => rotate(r, i % 4))), 301), 'JSONL'));
    expect(moving).toEqual(steady);
    const days = rows.map((r) => r.day as string);
    const byTime = [...days].sort((a, b) => Date.parse(a) - Date.parse(b));
    expect([steady.day!.type, steady.day!.minValue, steady.day!.maxValue]).toEqual(['DATE', byTime[0], byTime.at(-1)]);
    const present = rows.map((r) => r.word).filter((w): w is string => typeof w === 'string');
    const sorted = [...present].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const lengths = present.map((w) => w.length);
    expect(steady.word).toMatchObject({
      minValue: sorted[0],
      maxValue: sorted.at(-1),
      minLength: Math.min(...lengths),
      maxLength: Math.max(...lengths),
      nullCount: rows.length - present.length,
    });
    expect(steady.late).toMatchObject({ nullCount: rows.filter((r) => !('late' in r)).length, minValue: 'x0' });
  });
});

describe('profiling CSV (vega-datasets seattle-weather)', () => {
  const file = path.join(VEGA_DATA, 'seattle-weather.csv');
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const rows = lines.slice(1).map((l) => l.split(','));

  it('matches statistics computed independently', async () => {
    const profile = await profileContent(fs.createReadStream(file, { highWaterMark: 1024 }), 'CSV');
    expect(profile.rowCount).toBe(rows.length);
    expect(profile.columns.map((c) => [c.name, c.type])).toEqual([
      ['date', 'DATE'],
      ['precipitation', 'FLOAT'],
      ['temp_max', 'FLOAT'],
      ['temp_min', 'FLOAT'],
      ['wind', 'FLOAT'],
      ['weather', 'STRING'],
    ]);
    for (const col of ['precipitation', 'temp_max', 'temp_min', 'wind']) {
      const values = rows.map((r) => Number(r[header.indexOf(col)]));
      const p = profile.columns.find((c) => c.name === col)!;
      expect(p.nullCount).toBe(0);
      expect(p.min).toBe(min(values));
      expect(p.max).toBe(max(values));
      expect(p.mean).toBeCloseTo(mean(values), 10);
      expect(p.stddev).toBeCloseTo(sampleStandardDeviation(values), 10);
      expect(p.histogram.map((b) => b.count)).toEqual(histogramOf(values, 10));
    }
    const dates = rows.map((r) => r[0]);
    const date = profile.columns[0]!;
    expect([date.minValue, date.maxValue, date.distinctCount]).toEqual([
      dates[0],
      dates[dates.length - 1],
      new Set(dates).size,
    ]);
    const weather = profile.columns[5]!;
    expect(weather.topValues).toEqual(
      topOf(
        rows.map((r) => r[5] ?? ''),
        10,
      ),
    );
    expect(weather.distinctCount).toBe(new Set(rows.map((r) => r[5])).size);
  });

  it('reads nulls, marks approximate distinct counts and stops early for a preview', async () => {
    const csv = 'id,v\n1,NA\n2,\n3,x\n4,y\n';
    const p = await profileContent(chunks(csv, 3), 'CSV', { maxDistinct: 2 });
    expect(p.columns[0]).toMatchObject({
      type: 'INTEGER',
      distinctCount: 2,
      distinctExact: false,
      min: 1,
      max: 4,
      mean: 2.5,
    });
    expect(p.columns[1]).toMatchObject({ type: 'STRING', nullCount: 2, nullFraction: 0.5, minLength: 1 });
    expect(await takeRecords(fs.createReadStream(file), 'CSV', 2)).toEqual([
      Object.fromEntries(header.map((h, i) => [h, rows[0]![i]])),
      Object.fromEntries(header.map((h, i) => [h, rows[1]![i]])),
    ]);
    const bad = async (): Promise<unknown[]> => {
      const out: unknown[] = [];
      for await (const r of readRecords(chunks('a,b\n1,2\n3\n', 4), 'CSV')) out.push(r);
      return out;
    };
    await expect(bad()).rejects.toMatchObject({ name: 'ContentFormatError', line: 3 });
  });
});
