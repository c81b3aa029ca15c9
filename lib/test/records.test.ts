import { assert, describe, expect, it } from 'vitest';
import {
  ContentFormatError,
  csvField,
  parseCsvRecords,
  parseCsvRows,
  parseCsvTable,
  parseJsonLines,
  readCsvRows,
  readRecords,
  takeRecords,
  toCsv,
} from '../src/data/records';

/** Feeds `text` in pieces of `size` characters (or bytes, as Buffers), splitting quotes, CRLF and multi-byte characters. */
async function* chunks(text: string, size: number, bytes = false): AsyncGenerator<string | Buffer> {
  const all = bytes ? Buffer.from(text, 'utf8') : text;
  for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

const TRICKY = '\uFEFFname,note,city\r\n"Smith, J","said ""hi""\r\nand left",Zürich\r\n\r\nplain,,"x"\n';
const TRICKY_ROWS = [
  ['name', 'note', 'city'],
  ['Smith, J', 'said "hi"\r\nand left', 'Zürich'],
  ['plain', '', 'x'],
];

describe('CSV (RFC 4180)', () => {
  it('reads quoted delimiters, doubled quotes, line breaks in quotes, CRLF, a BOM and skips empty lines', () => {
    expect(parseCsvRows(TRICKY)).toEqual(TRICKY_ROWS);
  });

  it('reads the same rows whatever the chunking, from text or bytes', async () => {
    for (const size of [1, 2, 3, 5, 7, 64]) {
      expect(await collect(readCsvRows(chunks(TRICKY, size)))).toEqual(TRICKY_ROWS);
      expect(await collect(readCsvRows(chunks(TRICKY, size, true)))).toEqual(TRICKY_ROWS);
    }
  });

  it('ends a record at CR alone and at the end of input without a line break', () => {
    expect(parseCsvRows('a,b\r1,2\r3,4')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(parseCsvRows('a,b,\n')).toEqual([['a', 'b', '']]);
    expect(parseCsvRows('')).toEqual([]);
    expect(parseCsvRows('""\n')).toEqual([['']]);
  });

  it('trims around fields only when asked, never inside quotes', () => {
    expect(parseCsvRows(' a ,\tb\t\n')).toEqual([[' a ', '\tb\t']]);
    expect(parseCsvRows(' a , " b " ,\tc\t\n', { trim: true })).toEqual([['a', ' b ', 'c']]);
    expect(() => parseCsvRows(' a , " b "\n')).toThrow(ContentFormatError);
  });

  it('refuses stray quotes, unclosed quotes and rows of another width, naming the line', () => {
    expect(() => parseCsvRows('a,b\n1,x"y\n')).toThrow(ContentFormatError);
    expect(() => parseCsvRows('a\n"open\n\n')).toThrow(
      expect.objectContaining({ name: 'ContentFormatError', line: 2 }),
    );
    expect(() => parseCsvRows('a,b\n"1"x,2\n')).toThrow(expect.objectContaining({ line: 2 }));
    expect(() => parseCsvRecords('a,b\n1,2\n"multi\nline",3,4\n')).toThrow(
      expect.objectContaining({ line: 3, reason: 'expected 2 fields, found 3' }),
    );
    expect(() => parseCsvTable('a,b\n1\n')).toThrow(expect.objectContaining({ line: 2 }));
    expect(parseCsvTable('')).toEqual({ columns: [], rows: [] });
  });

  it('keeps header names such as __proto__ and constructor as data', () => {
    const [record] = parseCsvRecords('__proto__,constructor,toString\n1,2,3\n');
    assert.isDefined(record);
    expect(Object.keys(record)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getPrototypeOf(record)).toBeNull();
    expect([record.__proto__, record.constructor, record.toString]).toEqual(['1', '2', '3']);
    const [other] = parseCsvRecords('x\n1\n');
    assert.isDefined(other);
    expect(other.constructor).toBeUndefined();
  });

  it('maps the null spellings asked for to null and splits on another delimiter', () => {
    expect(parseCsvRecords('a;b\nNA;\n', { delimiter: ';', nullValues: ['', 'NA'] })).toEqual([{ a: null, b: null }]);
    expect(parseCsvRecords('a,b\nNA,\n')).toEqual([{ a: 'NA', b: '' }]);
    expect(() => parseCsvRows('a', { delimiter: '"' })).toThrow(/delimiter/);
  });

  it('writes what it reads back', () => {
    const rows = [
      ['x,y', 'say "a"', null],
      ['  pad', { k: 1 }, 3],
    ];
    const text = toCsv(['a', 'b', 'c'], rows);
    expect(text).toBe('a,b,c\n"x,y","say ""a""",\n"  pad","{""k"":1}",3\n');
    expect(parseCsvRows(text)).toEqual([
      ['a', 'b', 'c'],
      ['x,y', 'say "a"', ''],
      ['  pad', '{"k":1}', '3'],
    ]);
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
  });
});

describe('JSON Lines', () => {
  it('reads objects, skips blank lines, accepts CRLF and counts physical lines in errors', async () => {
    const text = '{"a":1}\r\n\r\n{"b":{"c":[1]}}\n';
    expect(parseJsonLines(text)).toEqual([{ a: 1 }, { b: { c: [1] } }]);
    expect(await collect(readRecords(chunks(text, 3, true), 'JSONL'))).toEqual([{ a: 1 }, { b: { c: [1] } }]);
    expect(() => parseJsonLines('{"a":1}\n\nnope\n')).toThrow(expect.objectContaining({ line: 3 }));
    expect(() => parseJsonLines('{"a":1}\n[1]')).toThrow(new ContentFormatError(2, 'each line must be a JSON object'));
  });

  it('refuses deep nesting only when asked', () => {
    const deep = `{"a":${'['.repeat(150)}${']'.repeat(150)}}`;
    expect(parseJsonLines(deep)).toHaveLength(1);
    expect(() => parseJsonLines(deep, { limitDepth: true })).toThrow(/deeper than/);
  });
});

describe('readRecords / takeRecords', () => {
  it('streams CSV records and stops reading after the records taken', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<string> {
      yield 'id,v\n';
      for (let i = 0; ; i += 1) {
        pulled += 1;
        yield `${i},x\n`;
      }
    }
    expect(await takeRecords(endless(), 'CSV', 3)).toEqual([
      { id: '0', v: 'x' },
      { id: '1', v: 'x' },
      { id: '2', v: 'x' },
    ]);
    expect(pulled).toBe(3);
    expect(await takeRecords(endless(), 'CSV', 0)).toEqual([]);
  });
});
