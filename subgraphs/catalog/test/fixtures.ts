import path from 'node:path';

/** Repository root, from this file's folder. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
/** The shared OpenLineage fixtures (spec tests and example events), next to the repository. */
export const OPENLINEAGE_FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures/openlineage');
export const VEGA_DATA = path.join(REPO_ROOT, 'node_modules/vega-datasets/data');
