import type { ServiceContext } from '../../../lib/src/index';
import type { ApplicationService } from './application/application.service';
import type { ConfigVersionService } from './config-version/config-version.service';
import type { DeploymentService } from './deployment/deployment.service';
import type { DeploymentMonitor } from './monitor/deployment.monitor';

/** The services resolvers use, built once in createServer. */
export interface AppsServices {
  applications: ApplicationService;
  configVersions: ConfigVersionService;
  deployments: DeploymentService;
  monitor: DeploymentMonitor;
}

/** Request context of the apps subgraph. */
export interface AppsContext extends ServiceContext {
  services: AppsServices;
}

/**
 * The Authorization to forward to other services during this request.
 * @returns the caller's header (resolvers run only for authenticated viewers)
 */
export function forwardedAuthorization(ctx: AppsContext): string {
  return ctx.authorization ?? `Bearer ${ctx.viewer?.token ?? ''}`;
}
