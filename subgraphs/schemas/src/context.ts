import type { ServiceContext } from '../../../lib/src/index';
import type { SchemasServices } from './schemas.services';

/** What the registry's resolvers receive: lib's request context plus the services built once in createServer. */
export interface SchemasContext extends ServiceContext {
  services: SchemasServices;
}
