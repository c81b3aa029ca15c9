import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelsContext } from '../context';
import type { TrainingJob } from './training-job.entity';

/** `TrainingJob` for other subgraphs: the viewer's organization's only, null otherwise (and for an anonymous caller). */
export function resolveTrainingJobReference(ref: { id: string }, ctx: ModelsContext): Promise<TrainingJob | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.training.visible(scope, ref.id);
}
