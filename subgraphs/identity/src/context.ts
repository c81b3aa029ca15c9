import type { BlockList } from 'node:net';
import type { ContextInput, ServiceContext } from '../../../lib/src/index';
import { AuthenticationError } from '../../../lib/src/index';
import type { IdentityServices } from './identity.services';
import type { CallerScope, MemberScope, RequestMeta } from './shared/actor.types';
import { clientAddress } from './shared/client-address';

/** What identity's resolvers receive: lib's context plus the services built once in createServer. */
export interface IdentityContext extends ServiceContext {
  services: IdentityServices;
  meta: RequestMeta;
  /**
   * Set by a sign-in mutation for the rest of its own selection: `login { user { roles } }` has no
   * viewer yet, but is answered as the user who just signed in. Root mutation fields run one after
   * another, so each payload sees its own sign-in.
   */
  signedIn?: { id: string; organizationId: string };
}

// Resolvers hand services one of these scopes (or lib's requestScope / optionalRequestScope for a
// signed-in viewer). The EntityManager fork stays lazy: it is made when a service first uses `em`.

/** The scope of any request, signed in or not (public mutations, fields answered for whoever asks). */
export function callerScope(ctx: IdentityContext): CallerScope {
  return {
    viewer: ctx.viewer,
    get em() {
      return ctx.em;
    },
  };
}

/**
 * The scope of fields answered for a member: the viewer, or the user a sign-in of this request just
 * authenticated. @throws AuthenticationError (UNAUTHENTICATED) with neither
 */
export function memberScope(ctx: IdentityContext): MemberScope {
  const member = ctx.viewer ? { id: ctx.viewer.id, organizationId: ctx.viewer.organizationId } : ctx.signedIn;
  if (!member) throw new AuthenticationError();
  return {
    member,
    get em() {
      return ctx.em;
    },
  };
}

/** Extends lib's context with identity's services (built once per process) and the request's origin. */
export function createIdentityContextFactory(
  base: (input: ContextInput) => Promise<ServiceContext>,
  services: IdentityServices,
  proxies: BlockList,
) {
  return async (input: ContextInput): Promise<IdentityContext> => {
    const ctx = await base(input);
    return Object.assign(ctx, { services, meta: requestMeta(input.headers, input.remoteAddress, proxies) });
  };
}

/**
 * Client address and agent for sessions, audit events and the per-address credential throttle.
 * The address is the peer's, or what a trusted proxy (the gateway) reports in `x-forwarded-for`.
 */
export function requestMeta(
  headers: Record<string, string | undefined>,
  remoteAddress: string | undefined,
  proxies: BlockList,
): RequestMeta {
  return {
    ipAddress: clientAddress(remoteAddress, headers['x-forwarded-for'], proxies),
    userAgent: headers['user-agent'] ?? null,
  };
}
