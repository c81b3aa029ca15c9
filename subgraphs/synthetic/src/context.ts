import type { ServiceContext } from '../../../lib/src/index';
import type { SyntheticServices } from './synthetic.services';

/** What the synthetic subgraph's resolvers receive: lib's request context plus the services built once in createServer. */
export interface SyntheticContext extends ServiceContext {
  services: SyntheticServices;
}
