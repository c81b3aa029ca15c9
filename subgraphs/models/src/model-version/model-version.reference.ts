import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelsContext } from '../context';
import type { ModelVersion } from './model-version.entity';

/** `ModelVersion` for other subgraphs: the viewer's organization's only, null otherwise (and for an anonymous caller). */
export function resolveModelVersionReference(ref: { id: string }, ctx: ModelsContext): Promise<ModelVersion | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.registry.visibleVersion(scope, ref.id);
}
