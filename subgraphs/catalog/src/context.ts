import type { SubgraphContext } from '../../../lib/src/kit/context';
import type { CatalogServices } from './catalog.services';

/** What the catalog's resolvers receive: lib's request context plus the services built once in createServer. */
export type CatalogContext = SubgraphContext<CatalogServices>;
