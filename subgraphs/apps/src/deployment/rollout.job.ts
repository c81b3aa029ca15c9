import type { MikroORM } from '@mikro-orm/core';
import type { JobQueue } from '../../../../lib/src/jobs';
import type { Logger, ServiceTokenSource } from '../../../../lib/src/index';
import { DomainError } from '../../../../lib/src/index';
import type { AppsServices } from '../apps.services';
import type { RolloutPayload } from './rollout.model';
import { ROLLOUT_JOB, ROLLOUT_PERMISSIONS } from './rollout.model';

/**
 * Runs rollouts as jobs (lib/src/jobs): a release is applied by the one worker that claims it, taken
 * over by another replica if that worker dies, and acts at inference for the user who asked for it
 * (a delegated token from identity: the user's identity and permissions, apps as the actor). The
 * release's final writes run fenced, so an attempt that lost its claim writes nothing.
 */
export function registerRollouts(
  jobs: JobQueue,
  deps: { orm: MikroORM; services: AppsServices; tokens: ServiceTokenSource | null; logger: Logger },
): void {
  jobs.register<RolloutPayload>(ROLLOUT_JOB, async (ctx) => {
    const { payload } = ctx;
    const authorization = async () => {
      if (!deps.tokens)
        throw new DomainError(
          'SERVICE_UNAVAILABLE',
          'AIC_SERVICE_SECRET is not set: rollouts cannot act for their user',
        );
      const token = await deps.tokens.getToken(payload.organizationId, ROLLOUT_PERMISSIONS, {
        onBehalfOf: payload.actorId,
      });
      return `Bearer ${token}`;
    };
    deps.logger.info(
      { deploymentId: payload.deploymentId, revision: payload.revision, attempt: ctx.attempt },
      'rollout started',
    );
    await deps.services.deployments.completeRollout(payload, authorization, deps.orm.em.fork(), (work) =>
      ctx.fenced(work),
    );
  });
}
