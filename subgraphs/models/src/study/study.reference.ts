import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelsContext } from '../context';
import type { Study } from './study.entity';

/** `Study` for other subgraphs: the viewer's organization's only, null otherwise (and for an anonymous caller). */
export function resolveStudyReference(ref: { id: string }, ctx: ModelsContext): Promise<Study | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.studies.visible(scope, ref.id);
}
