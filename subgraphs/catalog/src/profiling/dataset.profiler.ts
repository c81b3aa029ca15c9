import type { ContentFormat, ContentRecord, ReadRecordsOptions } from '../content/record.reader';
import { readRecords } from '../content/record.reader';
import type { ColumnAccumulatorOptions, ColumnProfile } from './column.accumulator';
import { ColumnAccumulator } from './column.accumulator';

/** The profile of a whole content version. */
export interface DatasetProfile {
  format: ContentFormat;
  rowCount: number;
  columns: ColumnProfile[];
}

export interface ProfileOptions extends ReadRecordsOptions, Partial<ColumnAccumulatorOptions> {}

/**
 * Profiles records as they stream by; columns appear in first-seen order, and a JSON Lines row
 * without a column counts as null there.
 */
export async function profileRecords(
  records: AsyncIterable<ContentRecord> | Iterable<ContentRecord>,
  format: ContentFormat,
  options: ProfileOptions = {},
): Promise<DatasetProfile> {
  const accOptions: ColumnAccumulatorOptions = {
    maxDistinct: options.maxDistinct ?? 100_000,
    topK: options.topK ?? 10,
    histogramBins: options.histogramBins ?? 10,
  };
  const columns = new Map<string, ColumnAccumulator>();
  const fromText = format === 'CSV';
  let rowCount = 0;
  // The accumulator of the name at each position of the last row: rows of one file repeat their names.
  const names: string[] = [];
  const accumulators: ColumnAccumulator[] = [];
  for await (const record of records) {
    rowCount += 1;
    const keys = Object.keys(record);
    for (let i = 0; i < keys.length; i++) {
      const name = keys[i]!;
      let acc = accumulators[i];
      if (names[i] !== name || !acc) {
        acc = columns.get(name);
        if (!acc) {
          acc = new ColumnAccumulator(name, accOptions);
          columns.set(name, acc);
        }
        names[i] = name;
        accumulators[i] = acc;
      }
      acc.add(record[name], fromText);
    }
  }
  return { format, rowCount, columns: [...columns.values()].map((c) => c.finish(rowCount)) };
}

/**
 * Streams CSV or JSON Lines content and profiles it: row count, per-column inferred type, null
 * fraction, distinct count, min/max/mean/sample stddev, top values and an equal-width histogram.
 * @throws ContentFormatError on malformed content.
 */
export function profileContent(
  source: AsyncIterable<Buffer | string>,
  format: ContentFormat,
  options: ProfileOptions = {},
): Promise<DatasetProfile> {
  return profileRecords(readRecords(source, format, options), format, options);
}
