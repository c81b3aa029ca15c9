import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelsContext } from '../context';
import type { Model } from './model.entity';

/** `Model` for other subgraphs: the viewer's organization's only, null otherwise (and for an anonymous caller). */
export function resolveModelReference(ref: { id: string }, ctx: ModelsContext): Promise<Model | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.registry.visibleModel(scope, ref.id);
}
