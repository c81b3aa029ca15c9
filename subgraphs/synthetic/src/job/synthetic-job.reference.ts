import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { SyntheticContext } from '../context';
import type { SyntheticDataJob } from './synthetic-job.entity';

/** `SyntheticDataJob` for other subgraphs: null unless the viewer has synthetic:read in the job's organization. */
export function resolveSyntheticDataJobReference(ref: { id: string }, ctx: SyntheticContext): Promise<SyntheticDataJob | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.jobs.visible(scope, ref.id);
}
