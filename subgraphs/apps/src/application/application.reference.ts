import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { AppsContext } from '../context';
import type { Application } from './application.entity';

/** `Application` for other subgraphs: null unless it belongs to the viewer's organization. */
export function resolveApplicationReference(ref: { id: string }, ctx: AppsContext): Promise<Application | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.applications.visible(scope, ref.id);
}
