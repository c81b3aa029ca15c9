export { JSONObjectScalar, JSONScalar } from '../../../../lib/src/index';
