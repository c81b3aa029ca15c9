import { organizationScopedReference } from '../../../../lib/contracts/references';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelsContext } from '../context';

/** `Study` for other subgraphs (lib/contracts policy): the viewer's organization's only, and only for a viewer holding models:read; null otherwise. */
export const resolveStudyReference = organizationScopedReference(
  { permission: 'models:read' },
  (ctx: ModelsContext, id) => ctx.services.studies.visible(requestScope(ctx), id),
);
