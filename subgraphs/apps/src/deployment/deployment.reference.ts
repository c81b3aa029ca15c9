import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { AppsContext } from '../context';
import type { Deployment } from './deployment.entity';

/** `Deployment` for other subgraphs: null unless it belongs to the viewer's organization. */
export function resolveDeploymentReference(ref: { id: string }, ctx: AppsContext): Promise<Deployment | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.deployments.visible(scope, ref.id);
}
