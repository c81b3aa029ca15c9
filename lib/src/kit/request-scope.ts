import type { EntityManager } from '@mikro-orm/core';
import { requireViewer } from '../auth/rules';
import type { Viewer } from '../auth/viewer';

/**
 * What a service method needs from the request it serves: who asks, and the request's unit of work
 * (its EntityManager fork) that reads and writes go through. Services and repositories are built
 * once per process; everything that belongs to one request arrives as this first argument, so a
 * service never holds request state and the same instance serves every request.
 */
export interface RequestScope {
  readonly viewer: Viewer;
  readonly em: EntityManager;
}

/** The per-request context a scope is taken from (lib's `ServiceContext` and its extensions). */
export interface ScopeSource {
  viewer: Viewer | null;
  readonly em: EntityManager;
}

/**
 * The scope of a signed-in request. The fork stays lazy: it is made when the service first uses `em`.
 * @throws AuthenticationError (UNAUTHENTICATED) without a viewer
 */
export function requestScope(ctx: ScopeSource): RequestScope {
  const viewer = requireViewer(ctx.viewer);
  return {
    viewer,
    get em() {
      return ctx.em;
    },
  };
}

/** @returns the scope of a signed-in request, or null for an anonymous one (reference resolvers answer null then) */
export function optionalRequestScope(ctx: ScopeSource): RequestScope | null {
  return ctx.viewer ? requestScope(ctx) : null;
}
