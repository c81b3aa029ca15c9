import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tableFromObjects } from '../src/table/csv.codec';
import type { Table } from '../src/table/table.types';

/** Loads a JSON table shipped in the `vega-datasets` npm package. */
export function vegaTable(name: string): Table {
  const file = path.resolve(__dirname, '../../../node_modules/vega-datasets/data', `${name}.json`);
  return tableFromObjects(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[]);
}
