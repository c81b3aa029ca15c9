import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { CatalogContext } from '../context';
import type { LineageRun } from './lineage-run.entity';

/** `LineageRun` for other subgraphs: null unless it is of the viewer's organization. */
export function resolveLineageRunReference(
  ref: { id: string },
  ctx: CatalogContext,
): Promise<LineageRun | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.lineage.runReference(scope, ref.id);
}
