import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { CatalogContext } from '../context';
import type { AccessGrant } from './access-grant.entity';

/** `AccessGrant` for other subgraphs: null unless the viewer owns its dataset. */
export function resolveAccessGrantReference(
  ref: { id: string },
  ctx: CatalogContext,
): Promise<AccessGrant | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.governance.grantReference(scope, ref.id);
}
