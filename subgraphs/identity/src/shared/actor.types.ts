import type { EntityManager } from '@mikro-orm/core';

/**
 * Who is acting: the same shape as lib's Viewer (id, organizationId, roles, permissions, kind,
 * sessionId), so a verified viewer can be passed straight to the services.
 */
export interface Actor {
  id: string;
  organizationId: string;
  roles: readonly string[];
  permissions: readonly string[];
  kind: 'user' | 'api_key' | 'service';
  sessionId?: string;
  apiKeyId?: string;
}

/** Where a request came from; recorded on sessions and audit events. */
export interface RequestMeta {
  ipAddress?: string | null;
  userAgent?: string | null;
}

/*
 * What a service method receives from the request it serves (services are built once per process).
 * Each carries the request's EntityManager fork, the unit of work its reads and writes go through.
 */

/** A signed-in request: lib's RequestScope is one (every Viewer is an Actor). */
export interface ActorScope {
  readonly viewer: Actor;
  readonly em: EntityManager;
}

/** Any request, signed in or not: sign-in, token exchanges, and fields answered for whoever asks. */
export interface CallerScope {
  readonly viewer: Actor | null;
  readonly em: EntityManager;
}

/** The member a field is answered for: the viewer, or the user a sign-in mutation of this request just authenticated. */
export interface MemberScope {
  readonly member: { readonly id: string; readonly organizationId: string };
  readonly em: EntityManager;
}
