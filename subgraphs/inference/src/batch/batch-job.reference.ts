import { organizationScopedReference } from '../../../../lib/contracts/references';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { InferenceContext } from '../context';

/** `BatchInferenceJob` for other subgraphs (lib/contracts policy): null without a viewer holding inference:read, or for another organization's job. */
export const resolveBatchJobReference = organizationScopedReference(
  { permission: 'inference:read' },
  (ctx: InferenceContext, id) => ctx.services.batch.reference(requestScope(ctx), id),
);
