import type { ServiceContext } from '../../../lib/src/index';
import type { CatalogServices } from './catalog.services';

/** What the catalog's resolvers receive: lib's request context plus the services built once in createServer. */
export interface CatalogContext extends ServiceContext {
  services: CatalogServices;
}
