import { StringDecoder } from 'node:string_decoder';
import { jsonTooDeepAt, MAX_JSON_DEPTH } from '../json-depth';

// The one CSV / JSON Lines reader of the platform: a push parser fed chunk by chunk (so a file is
// streamed, never held) with a whole-text form on top for callers that already hold the text.
// CSV is RFC 4180: quoted fields may hold delimiters, quotes ("") and line breaks; records end with
// LF, CRLF or CR; a leading byte order mark is dropped; empty lines are skipped. Records built from
// a header row have no prototype, so header names such as `__proto__` or `constructor` are data.

export type RecordFormat = 'CSV' | 'JSONL';

/** A record: CSV cells are strings (or null, see `nullValues`), JSON Lines values keep their JSON types. */
export type DataRecord = Record<string, unknown>;

/** Content that cannot be read as the declared format; `line` is 1-based, `reason` the message without the line. */
export class ContentFormatError extends Error {
  readonly line: number;
  readonly reason: string;
  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'ContentFormatError';
    this.line = line;
    this.reason = reason;
  }
}

export interface CsvOptions {
  /** Field delimiter, one character. @default ',' */
  delimiter?: string;
  /** Drop spaces and tabs around fields (outside quotes). @default false */
  trim?: boolean;
}

export interface CsvRecordOptions extends CsvOptions {
  /** Cells equal to one of these are null. @default none: every cell is a string */
  nullValues?: readonly string[];
}

export interface JsonLinesOptions {
  /** Refuse values nesting arrays or objects deeper than MAX_JSON_DEPTH (lib/json-depth). @default false */
  limitDepth?: boolean;
}

export type ReadRecordsOptions = CsvRecordOptions & JsonLinesOptions;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
  AfterQuote,
}

const isBlank = (c: string): boolean => c === ' ' || c === '\t';

/** RFC 4180 push parser: feed text with `push`, collect complete rows; `end` flushes the last row. */
export class CsvParser {
  private readonly delimiter: string;
  private readonly trim: boolean;
  private state = State.FieldStart;
  private field = '';
  private fieldQuoted = false;
  private row: string[] = [];
  private rowLine = 1;
  private line = 1;
  private skipLf = false;
  private started = false;
  private lastFieldQuoted = false;

  constructor(options: CsvOptions = {}) {
    this.delimiter = options.delimiter ?? ',';
    if (this.delimiter.length !== 1 || this.delimiter === '"' || this.delimiter === '\n' || this.delimiter === '\r')
      throw new Error(`unusable CSV delimiter ${JSON.stringify(this.delimiter)}`);
    this.trim = options.trim ?? false;
  }

  /** Parses `text` and returns the rows it completed, each with the line it started on. */
  push(text: string): { rows: string[][]; lines: number[] } {
    const rows: string[][] = [];
    const lines: number[] = [];
    let i = 0;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    const n = text.length;
    const d = this.delimiter;
    while (i < n) {
      const c = text[i]!;
      if (this.skipLf) {
        this.skipLf = false;
        if (c === '\n') {
          i += 1;
          continue;
        }
      }
      switch (this.state) {
        case State.FieldStart:
          if (c === '"') {
            this.state = State.Quoted;
            this.fieldQuoted = true;
            i += 1;
            continue;
          }
          if (this.trim && isBlank(c)) {
            i += 1;
            continue;
          }
          this.state = State.Unquoted;
          continue;
        case State.Unquoted: {
          // Copy the run of ordinary characters at once.
          let j = i;
          while (j < n) {
            const x = text[j];
            if (x === d || x === '\n' || x === '\r' || x === '"') break;
            j += 1;
          }
          if (j > i) this.field += text.slice(i, j);
          i = j;
          if (i >= n) continue;
          const x = text[i]!;
          i += 1;
          if (x === d) this.endField();
          else if (x === '"')
            throw new ContentFormatError(this.line, `a quote inside the unquoted field ${this.row.length + 1}`);
          else this.endLine(x, rows, lines);
          continue;
        }
        case State.Quoted: {
          const q = text.indexOf('"', i);
          const end = q < 0 ? n : q;
          const chunk = text.slice(i, end);
          this.field += chunk;
          this.countLines(chunk);
          if (q < 0) {
            i = n;
          } else {
            this.state = State.QuoteInQuoted;
            i = q + 1;
          }
          continue;
        }
        case State.QuoteInQuoted:
          if (c === '"') {
            this.field += '"';
            this.state = State.Quoted;
            i += 1;
            continue;
          }
          this.state = State.AfterQuote;
          continue;
        case State.AfterQuote:
          i += 1;
          if (c === d) this.endField();
          else if (c === '\n' || c === '\r') this.endLine(c, rows, lines);
          else if (!(this.trim && isBlank(c)))
            throw new ContentFormatError(
              this.line,
              `characters after the closing quote of field ${this.row.length + 1}`,
            );
          continue;
      }
    }
    return { rows, lines };
  }

  /** Ends the input and returns the last row when it had no line break. */
  end(): { rows: string[][]; lines: number[] } {
    const rows: string[][] = [];
    const lines: number[] = [];
    if (this.state === State.Quoted) throw new ContentFormatError(this.rowLine, 'a quoted field is not closed');
    if (this.state !== State.FieldStart || this.row.length > 0) {
      this.endField();
      this.pushRow(rows, lines);
    }
    return { rows, lines };
  }

  private countLines(text: string): void {
    for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) this.line += 1;
    // A lone CR inside quotes is data; CRLF is counted once by its LF.
  }

  private endField(): void {
    this.row.push(this.trim && !this.fieldQuoted ? this.field.replace(/[ \t]+$/, '') : this.field);
    this.lastFieldQuoted = this.fieldQuoted;
    this.field = '';
    this.fieldQuoted = false;
    this.state = State.FieldStart;
  }

  private endLine(c: string, rows: string[][], lines: number[]): void {
    this.endField();
    this.pushRow(rows, lines);
    this.line += 1;
    this.rowLine = this.line;
    if (c === '\r') this.skipLf = true;
  }

  private pushRow(rows: string[][], lines: number[]): void {
    const row = this.row;
    this.row = [];
    // An empty line (one empty unquoted field) is skipped.
    if (row.length === 1 && row[0] === '' && !this.lastFieldQuoted) return;
    rows.push(row);
    lines.push(this.rowLine);
  }
}

function checkWidth(row: readonly string[], width: number, line: number): void {
  if (row.length !== width) throw new ContentFormatError(line, `expected ${width} fields, found ${row.length}`);
}

/** Turns rows after a header row into records without a prototype (header names are data, never Object members). */
export class CsvRecordBuilder {
  private header: string[] | undefined;
  private readonly nulls: ReadonlySet<string>;

  constructor(options: CsvRecordOptions = {}) {
    this.nulls = new Set(options.nullValues ?? []);
  }

  /** The header row, once read. */
  get columns(): readonly string[] | undefined {
    return this.header;
  }

  /** @returns the record, or undefined for the header row itself */
  add(row: string[], line: number): DataRecord | undefined {
    if (!this.header) {
      this.header = row;
      return undefined;
    }
    checkWidth(row, this.header.length, line);
    const record = Object.create(null) as DataRecord;
    for (let k = 0; k < row.length; k += 1) {
      const value = row[k]!;
      record[this.header[k]!] = this.nulls.has(value) ? null : value;
    }
    return record;
  }
}

/** Splits text fed chunk by chunk into lines (LF or CRLF), counting from 1. */
class LineSplitter {
  private pending = '';
  private line = 0;
  push(text: string, out: (line: string, number: number) => void): void {
    this.pending += text;
    let start = 0;
    for (let nl = this.pending.indexOf('\n', start); nl >= 0; nl = this.pending.indexOf('\n', start)) {
      this.line += 1;
      out(this.pending.slice(start, nl), this.line);
      start = nl + 1;
    }
    this.pending = this.pending.slice(start);
  }
  end(out: (line: string, number: number) => void): void {
    this.line += 1;
    out(this.pending, this.line);
    this.pending = '';
  }
}

/** Parses one JSON Lines line: undefined for a blank line, else the object it holds. */
export function parseJsonLine(text: string, line: number, options: JsonLinesOptions = {}): DataRecord | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (err) {
    throw new ContentFormatError(line, (err as Error).message);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ContentFormatError(line, 'each line must be a JSON object');
  if (options.limitDepth) {
    const tooDeep = jsonTooDeepAt(value);
    if (tooDeep !== undefined)
      throw new ContentFormatError(
        line,
        `nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels (at ${tooDeep})`,
      );
  }
  return value as DataRecord;
}

/** Text or bytes, whole or in chunks. */
export type ContentSource = AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>;

async function* decode(source: ContentSource): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** Streams the rows of CSV content (the header row included) as arrays of strings. */
export async function* readCsvRows(source: ContentSource, options: CsvOptions = {}): AsyncGenerator<string[]> {
  const parser = new CsvParser(options);
  for await (const text of decode(source)) yield* parser.push(text).rows;
  yield* parser.end().rows;
}

/** Streams the records of CSV content with a header row. */
export async function* readCsvRecords(
  source: ContentSource,
  options: CsvRecordOptions = {},
): AsyncGenerator<DataRecord> {
  const parser = new CsvParser(options);
  const builder = new CsvRecordBuilder(options);
  const emit = function* ({ rows, lines }: { rows: string[][]; lines: number[] }): Generator<DataRecord> {
    for (let k = 0; k < rows.length; k += 1) {
      const record = builder.add(rows[k]!, lines[k]!);
      if (record) yield record;
    }
  };
  for await (const text of decode(source)) yield* emit(parser.push(text));
  yield* emit(parser.end());
}

/** Streams the objects of JSON Lines content; blank lines are skipped. */
export async function* readJsonLines(
  source: ContentSource,
  options: JsonLinesOptions = {},
): AsyncGenerator<DataRecord> {
  const splitter = new LineSplitter();
  const out: DataRecord[] = [];
  const collect = (text: string, line: number): void => {
    const record = parseJsonLine(text, line, options);
    if (record) out.push(record);
  };
  for await (const text of decode(source)) {
    splitter.push(text, collect);
    yield* out.splice(0);
  }
  splitter.end(collect);
  yield* out.splice(0);
}

/**
 * Streams the records of CSV (header row required) or JSON Lines content without holding it.
 * @throws ContentFormatError with the line of the first malformed row.
 */
export function readRecords(
  source: ContentSource,
  format: RecordFormat,
  options: ReadRecordsOptions = {},
): AsyncGenerator<DataRecord> {
  return format === 'CSV' ? readCsvRecords(source, options) : readJsonLines(source, options);
}

/** Reads the first `limit` records and stops reading the source. */
export async function takeRecords(
  source: ContentSource,
  format: RecordFormat,
  limit: number,
  options: ReadRecordsOptions = {},
): Promise<DataRecord[]> {
  const out: DataRecord[] = [];
  if (limit <= 0) return out;
  for await (const record of readRecords(source, format, options)) {
    out.push(record);
    if (out.length >= limit) break;
  }
  return out;
}

/** All rows of a CSV text (the header row included). */
export function parseCsvRows(text: string, options: CsvOptions = {}): string[][] {
  const parser = new CsvParser(options);
  return [...parser.push(text).rows, ...parser.end().rows];
}

/**
 * A CSV text as its header row and the rows under it, every row as wide as the header;
 * `columns` is empty when the text has no row at all.
 */
export function parseCsvTable(text: string, options: CsvOptions = {}): { columns: string[]; rows: string[][] } {
  const parser = new CsvParser(options);
  let columns: string[] | undefined;
  const rows: string[][] = [];
  for (const chunk of [parser.push(text), parser.end()]) {
    chunk.rows.forEach((row, k) => {
      if (!columns) columns = row;
      else {
        checkWidth(row, columns.length, chunk.lines[k]!);
        rows.push(row);
      }
    });
  }
  return { columns: columns ?? [], rows };
}

/** All records of a CSV text with a header row. */
export function parseCsvRecords(text: string, options: CsvRecordOptions = {}): DataRecord[] {
  const parser = new CsvParser(options);
  const builder = new CsvRecordBuilder(options);
  const out: DataRecord[] = [];
  for (const { rows, lines } of [parser.push(text), parser.end()]) {
    rows.forEach((row, k) => {
      const record = builder.add(row, lines[k]!);
      if (record) out.push(record);
    });
  }
  return out;
}

/** All objects of a JSON Lines text. */
export function parseJsonLines(text: string, options: JsonLinesOptions = {}): DataRecord[] {
  const out: DataRecord[] = [];
  const splitter = new LineSplitter();
  const collect = (line: string, number: number): void => {
    const record = parseJsonLine(line, number, options);
    if (record) out.push(record);
  };
  splitter.push(text, collect);
  splitter.end(collect);
  return out;
}

/** All records of a CSV or JSON Lines text. */
export function parseRecords(text: string, format: RecordFormat, options: ReadRecordsOptions = {}): DataRecord[] {
  return format === 'CSV' ? parseCsvRecords(text, options) : parseJsonLines(text, options);
}

/** One CSV field: quoted when it holds a delimiter, quote, line break or edge whitespace; objects as JSON, null/undefined empty. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** An RFC 4180 CSV document with a header row, LF line ends and a final line break. */
export function toCsv(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(row.map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}
