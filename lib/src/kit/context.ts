import type { ServiceContext } from '../context';
import type { ContextInput } from '../server';

/**
 * A subgraph's request context: lib's `ServiceContext` (viewer, lazy `em`, request id, logger,
 * forwarded authorization) plus the subgraph's services, built once per process and always on
 * `ctx.services`. A subgraph's `context.ts` names it: `type CatalogContext = SubgraphContext<CatalogServices>`.
 */
export type SubgraphContext<S extends object> = ServiceContext & { readonly services: S };

/**
 * The context factory of a subgraph: lib's (`createContextFactory`) with the service bag added.
 * `Object.assign` keeps the request context's class, so its `em` and `logger` stay lazy.
 */
export function withServices<S extends object>(
  base: (input: ContextInput) => Promise<ServiceContext>,
  services: S,
): (input: ContextInput) => Promise<SubgraphContext<S>> {
  return async (input) => Object.assign(await base(input), { services });
}
