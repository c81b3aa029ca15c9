import { organizationScopedReference } from '../../../../lib/contracts/references';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { AppsContext } from '../context';

/** `Application` for other subgraphs (lib/contracts policy): null without a viewer holding apps:read, or unless it belongs to the viewer's organization. */
export const resolveApplicationReference = organizationScopedReference(
  { permission: 'apps:read' },
  (ctx: AppsContext, id) => ctx.services.applications.visible(requestScope(ctx), id),
);
