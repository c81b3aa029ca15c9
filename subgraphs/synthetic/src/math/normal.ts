export { normalCdf, normalQuantile } from '../../../../lib/src/data/normal';
