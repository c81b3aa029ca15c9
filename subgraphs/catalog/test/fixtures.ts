import path from 'node:path';

/** Repository root, from this file's folder. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
/** The OpenLineage fixtures (spec tests and example events), inside the repository: test/fixtures/openlineage. */
export { OPENLINEAGE_FIXTURES } from '../../../test/fixtures';
export const VEGA_DATA = path.join(REPO_ROOT, 'node_modules/vega-datasets/data');
