import type { ServiceContext } from '../../../lib/src/index';
import type { InferenceServices } from './inference.services';

/** What inference's resolvers receive: lib's request context plus the services built once in createServer. */
export interface InferenceContext extends ServiceContext {
  services: InferenceServices;
}
