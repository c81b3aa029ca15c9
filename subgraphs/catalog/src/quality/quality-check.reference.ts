import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { CatalogContext } from '../context';
import type { QualityCheck } from './quality-check.entity';

/** `QualityCheck` for other subgraphs: null unless the viewer can read its dataset. */
export function resolveQualityCheckReference(
  ref: { id: string },
  ctx: CatalogContext,
): Promise<QualityCheck | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.quality.checkReference(scope, ref.id);
}
