import type { ContextInput, ServiceContext } from '../../../lib/src/index';
import { AuthenticationError } from '../../../lib/src/index';
import type { IdentityRuntime, IdentityServices } from './identity.services';
import { createIdentityServices } from './identity.services';
import type { RequestMeta } from './shared/actor.types';
import type { BlockList } from 'node:net';
import { clientAddress } from './shared/client-address';

/** What identity's resolvers receive: lib's context plus the per-request services. */
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

/** Who the fields of this request are answered for: the viewer, or the user a sign-in just authenticated. */
export function scopeOf(ctx: IdentityContext): { id: string; organizationId: string } {
  if (ctx.viewer) return { id: ctx.viewer.id, organizationId: ctx.viewer.organizationId };
  if (ctx.signedIn) return ctx.signedIn;
  throw new AuthenticationError();
}

/** Extends lib's context with identity's services over the request's EntityManager fork. */
export function createIdentityContextFactory(base: (input: ContextInput) => Promise<ServiceContext>, runtime: IdentityRuntime) {
  return async (input: ContextInput): Promise<IdentityContext> => {
    const ctx = await base(input);
    return Object.assign(ctx, { services: createIdentityServices(ctx.em, runtime), meta: requestMeta(input.headers, input.remoteAddress, runtime.proxies) });
  };
}

/**
 * Client address and agent for sessions, audit events and the per-address credential throttle.
 * The address is the peer's, or what a trusted proxy (the gateway) reports in `x-forwarded-for`.
 */
export function requestMeta(headers: Record<string, string | undefined>, remoteAddress: string | undefined, proxies: BlockList): RequestMeta {
  return { ipAddress: clientAddress(remoteAddress, headers['x-forwarded-for'], proxies), userAgent: headers['user-agent'] ?? null };
}
