export { normalCdf, normalQuantile } from '../../../../lib/src/index';
