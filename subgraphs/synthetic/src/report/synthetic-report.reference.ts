import { organizationScopedReference } from '../../../../lib/contracts/references';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { SyntheticContext } from '../context';

/** `SyntheticReport` for other subgraphs (lib/contracts policy): null unless the viewer has synthetic:read in the report's organization. */
export const resolveSyntheticReportReference = organizationScopedReference(
  { permission: 'synthetic:read' },
  (ctx: SyntheticContext, id) => ctx.services.reports.visible(requestScope(ctx), id),
);
