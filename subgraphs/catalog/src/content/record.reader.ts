import { StringDecoder } from 'node:string_decoder';
import { parse } from 'csv-parse';
import { jsonTooDeepAt, MAX_JSON_DEPTH } from '../../../../lib/src/index';

export type ContentFormat = 'CSV' | 'JSONL';

/** A record of a content file: CSV cells are strings (or null), JSON Lines values keep their JSON types. */
export type ContentRecord = Record<string, unknown>;

/** Content that cannot be read as the declared format; `line` is 1-based. */
export class ContentFormatError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'ContentFormatError';
    this.line = line;
  }
}

export interface ReadRecordsOptions {
  /** CSV cells equal to one of these are null. @default ['', 'NA', 'N/A', 'null', 'NULL'] */
  nullValues?: readonly string[];
  /** CSV field delimiter. @default ',' */
  delimiter?: string;
}

export const DEFAULT_NULL_VALUES: readonly string[] = ['', 'NA', 'N/A', 'null', 'NULL'];

async function* readCsv(source: AsyncIterable<Buffer | string>, options: ReadRecordsOptions): AsyncGenerator<ContentRecord> {
  const nulls = new Set(options.nullValues ?? DEFAULT_NULL_VALUES);
  const parser = parse({ columns: true, bom: true, skip_empty_lines: true, delimiter: options.delimiter ?? ',', trim: false });
  const feed = (async () => {
    try {
      for await (const chunk of source) {
        if (parser.destroyed) break;
        if (!parser.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              parser.off('drain', done);
              parser.off('close', done);
              resolve();
            };
            parser.once('drain', done);
            parser.once('close', done);
          });
        }
      }
      if (!parser.destroyed) parser.end();
    } catch (err) {
      parser.destroy(err as Error);
    }
  })();
  try {
    for await (const row of parser as AsyncIterable<Record<string, string>>) {
      const record: ContentRecord = {};
      for (const [k, v] of Object.entries(row)) record[k] = nulls.has(v) ? null : v;
      yield record;
    }
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new ContentFormatError(e.lines ?? 0, e.message);
  } finally {
    parser.destroy();
    await feed;
  }
}

async function* readJsonLines(source: AsyncIterable<Buffer | string>): AsyncGenerator<ContentRecord> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let line = 0;
  const parseLine = (text: string): ContentRecord | undefined => {
    line += 1;
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      throw new ContentFormatError(line, (err as Error).message);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ContentFormatError(line, 'each line must be a JSON object');
    // Profiling, quality checks and every service reading the content later walk or serialize the values recursively.
    const tooDeep = jsonTooDeepAt(value);
    if (tooDeep !== undefined) throw new ContentFormatError(line, `nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels (at ${tooDeep})`);
    return value as ContentRecord;
  };
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n', start)) {
      const rec = parseLine(pending.slice(start, nl));
      start = nl + 1;
      if (rec) yield rec;
    }
    pending = pending.slice(start);
  }
  pending += decoder.end();
  const last = parseLine(pending);
  if (last) yield last;
}

/**
 * Streams the records of CSV (header row required) or JSON Lines content without holding the file.
 * @throws ContentFormatError with the line of the first malformed row.
 */
export function readRecords(source: AsyncIterable<Buffer | string>, format: ContentFormat, options: ReadRecordsOptions = {}): AsyncGenerator<ContentRecord> {
  return format === 'CSV' ? readCsv(source, options) : readJsonLines(source);
}

/** Reads the first `limit` records and stops reading the source. */
export async function takeRecords(source: AsyncIterable<Buffer | string>, format: ContentFormat, limit: number, options: ReadRecordsOptions = {}): Promise<ContentRecord[]> {
  const out: ContentRecord[] = [];
  if (limit <= 0) return out;
  for await (const rec of readRecords(source, format, options)) {
    out.push(rec);
    if (out.length >= limit) break;
  }
  return out;
}
