import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { InferenceContext } from '../context';
import type { BatchInferenceJob } from './batch-job.entity';

/** `BatchInferenceJob` for other subgraphs: null for an anonymous caller or another organization's job. */
export function resolveBatchJobReference(ref: { id: string }, ctx: InferenceContext): Promise<BatchInferenceJob | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.batch.reference(scope, ref.id);
}
