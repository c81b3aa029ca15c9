import type {
  ContentSource,
  DataRecord,
  RecordFormat,
  ReadRecordsOptions as LibReadRecordsOptions,
} from '../../../../lib/src/index';
import { readRecords as readLibRecords, takeRecords as takeLibRecords } from '../../../../lib/src/index';

// Catalog's reading policy over the platform's one CSV / JSON Lines reader (lib/src/data/records.ts):
// the null spellings of CSV cells and the JSON nesting limit every later reader of the content relies on.

export { ContentFormatError } from '../../../../lib/src/index';

export type ContentFormat = RecordFormat;

/** A record of a content file: CSV cells are strings (or null), JSON Lines values keep their JSON types. */
export type ContentRecord = DataRecord;

export interface ReadRecordsOptions {
  /** CSV cells equal to one of these are null. @default ['', 'NA', 'N/A', 'null', 'NULL'] */
  nullValues?: readonly string[];
  /** CSV field delimiter. @default ',' */
  delimiter?: string;
}

export const DEFAULT_NULL_VALUES: readonly string[] = ['', 'NA', 'N/A', 'null', 'NULL'];

function policy(options: ReadRecordsOptions): LibReadRecordsOptions {
  // Profiling, quality checks and every service reading the content later walk or serialize the values recursively.
  return {
    nullValues: options.nullValues ?? DEFAULT_NULL_VALUES,
    delimiter: options.delimiter ?? ',',
    limitDepth: true,
  };
}

/**
 * Streams the records of CSV (header row required) or JSON Lines content without holding the file.
 * @throws ContentFormatError with the line of the first malformed row.
 */
export function readRecords(
  source: ContentSource,
  format: ContentFormat,
  options: ReadRecordsOptions = {},
): AsyncGenerator<ContentRecord> {
  return readLibRecords(source, format, policy(options));
}

/** Reads the first `limit` records and stops reading the source. */
export function takeRecords(
  source: ContentSource,
  format: ContentFormat,
  limit: number,
  options: ReadRecordsOptions = {},
): Promise<ContentRecord[]> {
  return takeLibRecords(source, format, limit, policy(options));
}
