import { organizationScopedReference } from '../../../../lib/contracts/references';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { AppsContext } from '../context';

/** `ConfigVersion` for other subgraphs (lib/contracts policy): null without a viewer holding apps:read, or unless it belongs to the viewer's organization. */
export const resolveConfigVersionReference = organizationScopedReference(
  { permission: 'apps:read' },
  (ctx: AppsContext, id) => ctx.services.configVersions.visible(requestScope(ctx), id),
);
