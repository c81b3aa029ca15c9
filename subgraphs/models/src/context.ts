import type { ServiceContext } from '../../../lib/src/index';
import type { ModelsServices } from './models.services';

/** What the models subgraph's resolvers receive: lib's request context plus the services built once in createServer. */
export interface ModelsContext extends ServiceContext {
  services: ModelsServices;
}
