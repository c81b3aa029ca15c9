import type { ServiceContext } from '../../../lib/src/index';
import type { JobServiceDeps } from './job/job.service';

/**
 * The synthetic subgraph's request context. Its job functions are still on `ctx.jobs`; when they
 * become services built once in createServer they move to `ctx.services` (lib/src/kit/context.ts,
 * `SubgraphContext`), the one name every subgraph uses for its service bag.
 */
export interface SyntheticContext extends ServiceContext {
  jobs: JobServiceDeps;
}
