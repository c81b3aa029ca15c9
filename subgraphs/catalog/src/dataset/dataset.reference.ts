import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { CatalogContext } from '../context';
import type { Dataset } from './dataset.entity';

/** `Dataset` for other subgraphs: null unless the viewer could read it here. */
export function resolveDatasetReference(ref: { id: string }, ctx: CatalogContext): Promise<Dataset | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.access.visibleDataset(scope, ref.id);
}
