import { organizationScopedReference } from '../../../../lib/contracts/references';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelsContext } from '../context';

/** `TrainingJob` for other subgraphs (lib/contracts policy): the viewer's organization's only, and only for a viewer holding models:read; null otherwise. */
export const resolveTrainingJobReference = organizationScopedReference(
  { permission: 'models:read' },
  (ctx: ModelsContext, id) => ctx.services.training.visible(requestScope(ctx), id),
);
