import type { MikroORM } from '@mikro-orm/core';
import type { Logger, PubSub, ServiceTokenSource } from '../../../lib/src/index';
import type { Clock } from '../../../lib/src/kit/clock';
import type { Leadership } from '../../../lib/src/kit/leader';
import { ApplicationRepository } from './application/application.repository';
import { ApplicationService } from './application/application.service';
import type { Config } from './config';
import { ConfigVersionRepository } from './config-version/config-version.repository';
import { ConfigVersionService } from './config-version/config-version.service';
import { DeploymentTimeline } from './deployment/deployment-timeline';
import { DeploymentLineage } from './deployment/deployment.lineage';
import { DriverKind } from './deployment/deployment.model';
import { DeploymentRepository } from './deployment/deployment.repository';
import { DeploymentService } from './deployment/deployment.service';
import type { RolloutQueue } from './deployment/rollout.model';
import { InferenceClient } from './drivers/inference.client';
import type { KubernetesApplier } from './drivers/kubernetes.applier';
import { KubernetesDriver } from './drivers/kubernetes.driver';
import { LocalDriver } from './drivers/local.driver';
import { DeploymentMonitor } from './monitor/deployment.monitor';

/** The apps subgraph's services, built once per process and shared by every request (`ctx.services`). */
export interface AppsServices {
  applications: ApplicationService;
  configVersions: ConfigVersionService;
  deployments: DeploymentService;
  monitor: DeploymentMonitor;
  /** Rolled-out releases reported to the catalog lineage; null without a service secret. */
  lineage: DeploymentLineage | null;
}

/** The process-wide dependencies the services are built from (server.ts makes them). */
export interface AppsServiceDeps {
  orm: MikroORM;
  pubSub: PubSub;
  logger: Logger;
  /** Applies rendered objects to a cluster; null: the kubernetes driver can only render (dry run). */
  kubernetesApplier: KubernetesApplier | null;
  /** Service tokens for the monitor's scheduled rounds; null leaves the schedule off. */
  tokens: ServiceTokenSource | null;
  /** Who runs the monitor's scheduled rounds among replicas (see lib/src/kit/leader.ts). */
  leader?: Leadership;
  clock: Clock;
  /** The service's job queue: rollouts run on it (see DeploymentService.completeRollout). */
  jobs: RolloutQueue;
  /** Waits before each retry of an undelivered lineage event (lib's LineageReporter default when unset). */
  lineageRetryDelaysMs?: readonly number[];
  settings: Pick<
    Config,
    'inferenceUrl' | 'catalogUrl' | 'schemasUrl' | 'monitorIntervalSeconds' | 'rolloutWaitSeconds'
  > & {
    kubernetes: Pick<Config['kubernetes'], 'namespace' | 'inferenceImage'>;
  };
}

/** The composition root: every repository, driver and service of apps, each built once, wired by constructor. */
export function createAppsServices(deps: AppsServiceDeps): AppsServices {
  const { settings } = deps;
  const applicationRepository = new ApplicationRepository();
  const configVersionRepository = new ConfigVersionRepository();
  const deploymentRepository = new DeploymentRepository();
  const inference = new InferenceClient(`${settings.inferenceUrl}/graphql`);
  const applications = new ApplicationService(applicationRepository, deploymentRepository);
  const configVersions = new ConfigVersionService(configVersionRepository, applications, settings.schemasUrl);
  const timeline = new DeploymentTimeline(deploymentRepository, deps.pubSub);
  const lineage = deps.tokens
    ? new DeploymentLineage(settings.catalogUrl, deps.tokens, deps.logger, deps.lineageRetryDelaysMs)
    : null;
  if (!lineage)
    deps.logger.warn('AIC_SERVICE_SECRET is not set: application rollouts are not reported to the catalog lineage');
  const deployments = new DeploymentService({
    deployments: deploymentRepository,
    applications,
    configVersions,
    drivers: {
      [DriverKind.LOCAL]: new LocalDriver(inference),
      [DriverKind.KUBERNETES]: new KubernetesDriver(inference, deps.kubernetesApplier, {
        namespace: settings.kubernetes.namespace,
        image: settings.kubernetes.inferenceImage,
      }),
    },
    timeline,
    rollouts: deps.jobs,
    rolloutWaitMs: settings.rolloutWaitSeconds * 1000,
    lineage,
  });
  const monitor = new DeploymentMonitor({
    orm: deps.orm,
    inference,
    deployments,
    repository: deploymentRepository,
    timeline,
    tokens: deps.tokens,
    logger: deps.logger,
    intervalSeconds: settings.monitorIntervalSeconds,
    clock: deps.clock,
    leader: deps.leader,
  });
  return { applications, configVersions, deployments, monitor, lineage };
}
