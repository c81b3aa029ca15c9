import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { SyntheticContext } from '../context';
import type { SyntheticReport } from './synthetic-report.entity';

/** `SyntheticReport` for other subgraphs: null unless the viewer has synthetic:read in the report's organization. */
export function resolveSyntheticReportReference(ref: { id: string }, ctx: SyntheticContext): Promise<SyntheticReport | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.reports.visible(scope, ref.id);
}
