import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { AppsContext } from '../context';
import type { ConfigVersion } from './config-version.entity';

/** `ConfigVersion` for other subgraphs: null unless it belongs to the viewer's organization. */
export function resolveConfigVersionReference(ref: { id: string }, ctx: AppsContext): Promise<ConfigVersion | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.configVersions.visible(scope, ref.id);
}
