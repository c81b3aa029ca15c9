import { organizationScopedReference } from '../../../../lib/contracts/references';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { AppsContext } from '../context';

/** `Deployment` for other subgraphs (lib/contracts policy): null without a viewer holding apps:read, or unless it belongs to the viewer's organization. */
export const resolveDeploymentReference = organizationScopedReference(
  { permission: 'apps:read' },
  (ctx: AppsContext, id) => ctx.services.deployments.visible(requestScope(ctx), id),
);
