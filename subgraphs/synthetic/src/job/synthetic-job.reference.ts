import { organizationScopedReference } from '../../../../lib/contracts/references';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { SyntheticContext } from '../context';

/** `SyntheticDataJob` for other subgraphs (lib/contracts policy): null unless the viewer has synthetic:read in the job's organization. */
export const resolveSyntheticDataJobReference = organizationScopedReference(
  { permission: 'synthetic:read' },
  (ctx: SyntheticContext, id) => ctx.services.jobs.visible(requestScope(ctx), id),
);
