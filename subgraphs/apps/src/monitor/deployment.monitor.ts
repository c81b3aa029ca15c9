import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { Logger, ServiceTokenSource } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { Leadership } from '../../../../lib/src/kit/leader';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import { decideScale } from '../autoscaler/autoscaler.engine';
import type { Deployment } from '../deployment/deployment.entity';
import { DeploymentEventKind, DeploymentStatus, DriverKind, HealthState } from '../deployment/deployment.model';
import { ACTIVE_STATUSES } from '../deployment/deployment.repository';
import type { DeploymentRepository } from '../deployment/deployment.repository';
import type { DeploymentService } from '../deployment/deployment.service';
import type { DeploymentTimeline } from '../deployment/deployment-timeline';
import type { InferenceClient } from '../drivers/inference.client';
import { evaluateHealth } from '../health/health.evaluator';
import { estimateConcurrency, observeEndpoints } from './endpoint.observer';

const ACTIVE = ACTIVE_STATUSES;
const STATUS_OF_HEALTH: Record<string, DeploymentStatus> = {
  HEALTHY: DeploymentStatus.RUNNING,
  DEGRADED: DeploymentStatus.DEGRADED,
  UNHEALTHY: DeploymentStatus.UNHEALTHY,
};
/** Permissions the monitor asks identity for: read endpoints and their metrics. */
const MONITOR_PERMISSIONS = ['inference:read', 'inference:manage'];

export interface MonitorDeps {
  orm: MikroORM;
  inference: InferenceClient;
  deployments: DeploymentService;
  repository: DeploymentRepository;
  /** Where health changes and autoscaler steps are recorded. */
  timeline: DeploymentTimeline;
  /** Service tokens for background checks; `null` leaves the schedule off (no AIC_SERVICE_SECRET). */
  tokens: ServiceTokenSource | null;
  logger: Logger;
  intervalSeconds: number;
  clock: Clock;
  /** Replicas elect one leader that runs the scheduled rounds (without it, this process runs them). */
  leader?: Leadership;
}

/**
 * Health checks and autoscaler steps for running deployments, on a schedule (as a service) and on
 * demand (as the caller). Each check reads the endpoints from inference, judges their health, and
 * with a scaling policy runs one HPA step on the estimated concurrency.
 */
export class DeploymentMonitor {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private scheduledRounds = 0;

  constructor(private readonly deps: MonitorDeps) {}

  /** Scheduled rounds this replica has run (only the leader runs them). */
  get roundsRun(): number {
    return this.scheduledRounds;
  }

  /**
   * Starts the schedule (no-op without service tokens or with a zero interval). Every replica keeps the
   * timer; a tick runs a round only while this replica is the leader, so health checks and autoscaler
   * steps happen once per interval however many replicas run.
   */
  start(): void {
    if (!this.deps.tokens || this.deps.intervalSeconds <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      if (this.deps.leader && !this.deps.leader.isLeader()) return;
      if (this.running) return;
      this.scheduledRounds++;
      this.running = this.runOnce()
        .catch((error) => this.deps.logger.error({ err: error }, 'deployment monitor round failed'))
        .finally(() => {
          this.running = null;
        });
    }, this.deps.intervalSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One round over every active deployment, each as a service of its organization. */
  async runOnce(): Promise<void> {
    const tokens = this.deps.tokens;
    if (!tokens) return;
    const em = this.deps.orm.em.fork();
    const active = await this.deps.repository.listActive(em);
    for (const deployment of active) {
      try {
        const token = await tokens.getToken(deployment.organizationId, MONITOR_PERMISSIONS);
        await this.check(em, deployment, `Bearer ${token}`, null);
      } catch (error) {
        this.deps.logger.warn({ err: error, deploymentId: deployment.id }, 'deployment check failed');
      }
    }
  }

  /**
   * Checks one deployment of the viewer's organization now, as the viewer.
   * @returns the deployment after the check
   */
  async checkNow(scope: RequestScope, id: string, authorization: string): Promise<Deployment> {
    const deployment = await this.deps.deployments.get(scope, id);
    return this.check(scope.em, deployment, authorization, scope.viewer.id);
  }

  /**
   * Checks one deployment: health (status change recorded in the timeline) and, with a policy, one
   * autoscaler step (a change of size recorded with the decision and its inputs).
   * @returns the deployment after the check
   */
  async check(
    em: EntityManager,
    deployment: Deployment,
    authorization: string,
    actorId: string | null,
  ): Promise<Deployment> {
    if (!ACTIVE.includes(deployment.status)) return deployment;
    const observation = await observeEndpoints(this.deps.inference, authorization, deployment.endpointsState);
    const report = evaluateHealth(observation.endpoints, deployment.healthThresholds);
    const previousStatus = deployment.status;
    const previousHealth = deployment.health;
    deployment.health = HealthState[report.status];
    deployment.status = STATUS_OF_HEALTH[report.status]!;
    deployment.diagnosticsState = report.diagnostics;
    deployment.checkedAt = new Date(this.now());
    if (deployment.health !== previousHealth || deployment.status !== previousStatus) {
      const message =
        report.diagnostics.length > 0
          ? `${report.status}: ${report.diagnostics.map((d) => d.message).join('; ')}`
          : `${report.status}: every endpoint is ready`;
      await this.deps.timeline.record(
        em,
        deployment,
        DeploymentEventKind.HEALTH_CHANGED,
        previousStatus,
        message,
        actorId,
        { diagnostics: report.diagnostics },
      );
    }
    if (deployment.scaling)
      await this.autoscale(em, deployment, estimateConcurrency(observation.states), authorization, actorId);
    await em.flush();
    return deployment;
  }

  private async autoscale(
    em: EntityManager,
    deployment: Deployment,
    concurrency: number,
    authorization: string,
    actorId: string | null,
  ): Promise<void> {
    const policy = deployment.scaling;
    if (!policy) return;
    // On Kubernetes the rendered HPA scales in the cluster; CPU targets need per-replica samples only a cluster has.
    if (deployment.driver !== DriverKind.LOCAL || policy.target.kind === 'CPU') return;
    const { decision, history } = decideScale({
      policy,
      currentReplicas: deployment.replicas,
      observation: { kind: 'TOTAL', value: concurrency },
      history: deployment.scalingHistory,
      now: this.now(),
    });
    deployment.scalingHistory = history;
    deployment.lastDecision = decision;
    if (decision.desiredReplicas === deployment.replicas) return;
    const before = deployment.replicas;
    deployment.replicas = decision.desiredReplicas;
    await this.deps.deployments.scaleByAutoscaler(em, deployment, authorization);
    await this.deps.timeline.record(
      em,
      deployment,
      DeploymentEventKind.AUTOSCALED,
      deployment.status,
      `autoscaled from ${before} to ${decision.desiredReplicas} replicas (${decision.reason}; ${decision.observedValue ?? '?'} in flight per replica against ${policy.target.kind === 'CONCURRENCY' ? policy.target.averageValue : ''})`,
      actorId,
      { decision },
    );
  }

  private now(): number {
    return this.deps.clock().getTime();
  }
}
