import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { InferenceContext } from '../context';
import type { Endpoint } from './endpoint.entity';

/** `Endpoint` for other subgraphs: null for an anonymous caller or another organization's endpoint. */
export function resolveEndpointReference(ref: { id: string }, ctx: InferenceContext): Promise<Endpoint | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.endpoints.reference(scope, ref.id);
}
