import { organizationScopedReference } from '../../../../lib/contracts/references';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { InferenceContext } from '../context';

/** `Endpoint` for other subgraphs (lib/contracts policy): null without a viewer holding inference:read, or for another organization's endpoint. */
export const resolveEndpointReference = organizationScopedReference(
  { permission: 'inference:read' },
  (ctx: InferenceContext, id) => ctx.services.endpoints.reference(requestScope(ctx), id),
);
