import type { ServiceContext } from '../../../lib/src/index';
import type { AppsServices } from './apps.services';

export type { AppsServices } from './apps.services';

/** What the apps resolvers receive: lib's request context plus the services built once in createServer. */
export interface AppsContext extends ServiceContext {
  services: AppsServices;
}

/**
 * The Authorization to forward to other services during this request.
 * @returns the caller's header (resolvers run only for authenticated viewers)
 */
export function forwardedAuthorization(ctx: AppsContext): string {
  return ctx.authorization ?? `Bearer ${ctx.viewer?.token ?? ''}`;
}
