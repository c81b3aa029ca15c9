import type { EntityManager } from '@mikro-orm/core';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BadUserInputError,
  ConflictError,
  DomainError,
  NotFoundError,
  assertSameOrganization,
} from '../../../../lib/src/index';
import type { Viewer } from '../../../../lib/src/index';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import { resolveScalingPolicy } from '../autoscaler/autoscaler.engine';
import { emptyScalingHistory } from '../autoscaler/scaling-behavior.model';
import type { Application } from '../application/application.entity';
import type { ApplicationService } from '../application/application.service';
import type { FieldProblem } from '../common/invalid-input.error';
import { InvalidInputError } from '../common/invalid-input.error';
import { configForRelease } from '../config-version/config-snapshot.builder';
import type { ConfigVersion } from '../config-version/config-version.entity';
import type { ConfigVersionService } from '../config-version/config-version.service';
import type { DeploymentDriver, DriverTarget } from '../drivers/driver.model';
import { DEFAULT_HEALTH_THRESHOLDS } from '../health/health.evaluator';
import { findEndpointProblems } from '../kubernetes/release.renderer';
import { findResourceProblems } from '../kubernetes/resources.validator';
import type { DeploymentEvent } from './deployment-event.entity';
import type { DeploymentLineage } from './deployment.lineage';
import type { DeploymentTimeline } from './deployment-timeline';
import { Deployment } from './deployment.entity';
import type { DeployInput } from './deployment.input';
import { fromResourcesInput, fromScalingInput, toReleaseRecord } from './deployment.mapper';
import { DeploymentEventKind, DeploymentStatus, DriverKind, HealthState } from './deployment.model';
import type { ReleaseContent } from './deployment.model';
import { ACTIVE_STATUSES } from './deployment.repository';
import type { DeploymentRepository } from './deployment.repository';
import type { DeployResult, ReleaseRecord } from './deployment.types';
import { Release } from './release.entity';
import { ROLLOUT_JOB, ROLLOUT_PERMISSIONS, rolloutJobId } from './rollout.model';
import type { RolloutPayload, RolloutQueue } from './rollout.model';

const ACTIVE = ACTIVE_STATUSES;

/** Lifecycle of deployments: deploy, pause, resume, scale, rollback, delete, each recorded in the timeline. */
export class DeploymentService {
  constructor(
    private readonly deps: {
      deployments: DeploymentRepository;
      applications: ApplicationService;
      configVersions: ConfigVersionService;
      drivers: Record<DriverKind, DeploymentDriver>;
      timeline: DeploymentTimeline;
      rollouts: RolloutQueue;
      /** How long `deploy` and `rollbackDeployment` wait for their rollout before answering DEPLOYING. */
      rolloutWaitMs: number;
      /** Reports rolled-out releases to the catalog lineage (off without a service secret). */
      lineage?: DeploymentLineage | null;
    },
  ) {}

  private get drivers(): Record<DriverKind, DeploymentDriver> {
    return this.deps.drivers;
  }

  /**
   * @throws NotFoundError when there is no such deployment, ForbiddenError when it belongs to another organization
   */
  async get(scope: RequestScope, id: string): Promise<Deployment> {
    const deployment = await this.deps.deployments.findById(scope.em, id);
    if (!deployment) throw new NotFoundError('Deployment', id);
    assertSameOrganization(scope.viewer, deployment.organizationId);
    return deployment;
  }

  /** The deployment for another subgraph: null unless it belongs to the viewer's organization. */
  async visible(scope: RequestScope, id: string): Promise<Deployment | null> {
    const deployment = await this.deps.deployments.findById(scope.em, id);
    return deployment && deployment.organizationId === scope.viewer.organizationId ? deployment : null;
  }

  /** The organization's deployments (deleted ones left out), optionally of one application or environment, oldest first. */
  list(
    scope: RequestScope,
    filter: { applicationId?: string | null; environment?: string | null },
  ): Promise<Deployment[]> {
    return this.deps.deployments.listLive(scope.em, scope.viewer.organizationId, filter);
  }

  /** The application the deployment runs. */
  applicationOf(scope: RequestScope, deployment: Deployment): Promise<Application> {
    return this.deps.applications.byId(scope.em, deployment.applicationId);
  }

  /** The config version the running release uses, if any. */
  async configVersionOf(scope: RequestScope, deployment: Deployment): Promise<ConfigVersion | null> {
    return deployment.configVersionId ? this.deps.configVersions.byId(scope.em, deployment.configVersionId) : null;
  }

  /** Every release of the deployment, newest first. */
  async releasesOf(scope: RequestScope, deployment: Deployment): Promise<ReleaseRecord[]> {
    return (await this.deps.deployments.releases(scope.em, deployment.id)).map(toReleaseRecord);
  }

  /** The last `last` (default and at most 500) lifecycle steps and status changes, oldest first. */
  timelineOf(scope: RequestScope, deployment: Deployment, last: number | null): Promise<DeploymentEvent[]> {
    return this.deps.deployments.lastEvents(scope.em, deployment.id, last);
  }

  /** Rolls out a new release (creating the deployment on first use), or returns the driver's plan on a dry run. */
  async deploy(scope: RequestScope, input: DeployInput): Promise<DeployResult> {
    const { viewer, em } = scope;
    const dryRun = Boolean(input.dryRun);
    const app = await this.deps.applications.get(scope, input.applicationId);
    const content = this.validate(input, app.environments);
    const configVersion = input.configVersionId
      ? await this.deps.configVersions.ofApplication(em, app.id, input.configVersionId)
      : null;
    const existing = await this.deps.deployments.findLive(em, app.id, input.environment);
    const driverKind = existing?.driver ?? input.driver ?? DriverKind.LOCAL;
    if (existing && input.driver && input.driver !== existing.driver) {
      throw new BadUserInputError('The driver of a deployment is fixed', [
        { field: 'driver', message: `this deployment runs on ${existing.driver}` },
      ]);
    }
    if (existing)
      content.endpoints = content.endpoints.map((e) => ({
        ...e,
        endpointId: existing.endpointsState.find((o) => o.name === e.name)?.endpointId ?? null,
      }));
    const revision = (existing?.revision ?? 0) + 1;
    const target = this.target(existing?.id ?? 'new', app, input.environment, revision, content, configVersion);
    if (input.dryRun) return { deployment: null, dryRun, objects: this.planOrRefuse(driverKind, target) };
    this.planOrRefuse(driverKind, target);
    await this.assertCanRollOut(viewer, existing);

    const deployment =
      existing ??
      em.create(Deployment, {
        organizationId: viewer.organizationId,
        applicationId: app.id,
        environment: input.environment,
        driver: driverKind,
        status: DeploymentStatus.DEPLOYING,
        health: HealthState.UNKNOWN,
        revision: 0,
        replicas: content.replicas,
        endpointsState: content.endpoints,
        resources: content.resources,
        scaling: content.scaling,
        healthThresholds: { ...DEFAULT_HEALTH_THRESHOLDS },
        scalingHistory: emptyScalingHistory(),
        diagnosticsState: [],
        createdById: viewer.id,
      });
    if (input.healthThresholds)
      deployment.healthThresholds = { ...deployment.healthThresholds, ...definedOnly(input.healthThresholds) };
    return {
      deployment: await this.rollOut(em, deployment, { ...target, deploymentId: deployment.id }, viewer.id, null),
      dryRun,
      objects: [],
    };
  }

  async pause(scope: RequestScope, id: string, authorization: string): Promise<Deployment> {
    const { viewer, em } = scope;
    const deployment = await this.get(scope, id);
    if (!ACTIVE.includes(deployment.status))
      throw new ConflictError(`A ${deployment.status} deployment cannot be paused`);
    const previous = deployment.status;
    deployment.endpointsState = await this.drivers[deployment.driver].pause(
      await this.current(em, deployment),
      authorization,
    );
    deployment.status = DeploymentStatus.PAUSED;
    deployment.health = HealthState.UNKNOWN;
    await this.deps.timeline.record(
      em,
      deployment,
      DeploymentEventKind.PAUSED,
      previous,
      'paused: the endpoints stop serving',
      viewer.id,
    );
    return deployment;
  }

  async resume(scope: RequestScope, id: string, authorization: string): Promise<Deployment> {
    const { viewer, em } = scope;
    const deployment = await this.get(scope, id);
    if (deployment.status !== DeploymentStatus.PAUSED)
      throw new ConflictError(`A ${deployment.status} deployment cannot be resumed`);
    deployment.endpointsState = await this.drivers[deployment.driver].apply(
      await this.current(em, deployment),
      authorization,
    );
    deployment.status = DeploymentStatus.RUNNING;
    await this.deps.timeline.record(
      em,
      deployment,
      DeploymentEventKind.RESUMED,
      DeploymentStatus.PAUSED,
      `resumed release ${deployment.revision}`,
      viewer.id,
    );
    return deployment;
  }

  /** Sets the replica count by hand; the autoscaling policy, if any, is switched off. */
  async scale(scope: RequestScope, id: string, replicas: number, authorization: string): Promise<Deployment> {
    const { viewer, em } = scope;
    const deployment = await this.get(scope, id);
    if (!Number.isInteger(replicas) || replicas < 0 || replicas > 1000)
      throw new BadUserInputError('Invalid replica count', [
        { field: 'replicas', message: 'must be a whole number in 0..1000' },
      ]);
    if (!ACTIVE.includes(deployment.status))
      throw new ConflictError(`A ${deployment.status} deployment cannot be scaled`);
    const before = deployment.replicas;
    deployment.replicas = replicas;
    deployment.scaling = null;
    await this.drivers[deployment.driver].scale(await this.current(em, deployment), authorization);
    await this.deps.timeline.record(
      em,
      deployment,
      DeploymentEventKind.SCALED,
      deployment.status,
      `scaled by hand from ${before} to ${replicas} replicas (autoscaling off)`,
      viewer.id,
      { from: before, to: replicas },
    );
    return deployment;
  }

  async setScalingPolicy(
    scope: RequestScope,
    id: string,
    scaling: DeployInput['scaling'] | null,
    authorization: string,
  ): Promise<Deployment> {
    const { viewer, em } = scope;
    const deployment = await this.get(scope, id);
    const policy = scaling ? fromScalingInput(scaling) : null;
    if (policy) {
      this.badInput(() => resolveScalingPolicy(policy));
      this.badInputFields(findResourceProblems(deployment.resources, { cpuTarget: policy.target.kind === 'CPU' }));
      deployment.replicas = Math.min(Math.max(deployment.replicas, policy.minReplicas), policy.maxReplicas);
    }
    deployment.scaling = policy;
    deployment.scalingHistory = emptyScalingHistory();
    if (ACTIVE.includes(deployment.status))
      await this.drivers[deployment.driver].scale(await this.current(em, deployment), authorization);
    await this.deps.timeline.record(
      em,
      deployment,
      DeploymentEventKind.SCALING_POLICY_CHANGED,
      deployment.status,
      policy ? `autoscaling between ${policy.minReplicas} and ${policy.maxReplicas} replicas` : 'autoscaling off',
      viewer.id,
      { policy },
    );
    return deployment;
  }

  /** Restores an earlier release (endpoints, weights, config, resources and scaling together) as a new release. */
  async rollback(scope: RequestScope, id: string, toRevision: number | null): Promise<Deployment> {
    const { viewer, em } = scope;
    const deployment = await this.get(scope, id);
    if (deployment.status === DeploymentStatus.DELETED)
      throw new ConflictError('A deleted deployment cannot be rolled back');
    await this.assertCanRollOut(viewer, deployment);
    const wanted = toRevision ?? deployment.revision - 1;
    const release = await this.deps.deployments.findRelease(em, deployment.id, wanted);
    if (!release || wanted >= deployment.revision)
      throw new BadUserInputError('No such earlier release', [
        { field: 'toRevision', message: `must be an earlier release (1..${deployment.revision - 1})` },
      ]);
    const app = await this.deps.applications.get(scope, deployment.applicationId);
    const configVersion = release.configVersionId
      ? await this.deps.configVersions.ofApplication(em, app.id, release.configVersionId)
      : null;
    const content: ReleaseContent = {
      endpoints: release.endpoints.map((e) => ({
        ...e,
        endpointId: deployment.endpointsState.find((o) => o.name === e.name)?.endpointId ?? null,
      })),
      configVersionId: release.configVersionId ?? null,
      resources: release.resources,
      scaling: release.scaling,
      replicas: release.replicas,
    };
    const target = this.target(
      deployment.id,
      app,
      deployment.environment,
      deployment.revision + 1,
      content,
      configVersion,
    );
    return this.rollOut(em, deployment, target, viewer.id, wanted);
  }

  async delete(scope: RequestScope, id: string, authorization: string): Promise<Deployment> {
    const { viewer, em } = scope;
    const deployment = await this.get(scope, id);
    if (deployment.status === DeploymentStatus.DELETED) return deployment;
    const previous = deployment.status;
    await this.drivers[deployment.driver].remove(await this.current(em, deployment), authorization);
    deployment.status = DeploymentStatus.DELETED;
    deployment.endpointsState = deployment.endpointsState.map((e) => ({ ...e, endpointId: null }));
    await this.deps.timeline.record(
      em,
      deployment,
      DeploymentEventKind.DELETED,
      previous,
      'deleted: every object the deployment created is removed',
      viewer.id,
    );
    return deployment;
  }

  /** Applies a replica count the autoscaler chose (the caller records the decision). */
  async scaleByAutoscaler(em: EntityManager, deployment: Deployment, authorization: string): Promise<void> {
    await this.drivers[deployment.driver].scale(await this.current(em, deployment), authorization);
  }

  /** The running release as a driver target. */
  async current(em: EntityManager, deployment: Deployment): Promise<DriverTarget> {
    const app = await this.deps.applications.byId(em, deployment.applicationId);
    const configVersion = deployment.configVersionId
      ? await this.deps.configVersions.byId(em, deployment.configVersionId)
      : null;
    const content: ReleaseContent = {
      endpoints: deployment.endpointsState,
      configVersionId: deployment.configVersionId ?? null,
      resources: deployment.resources,
      scaling: deployment.scaling,
      replicas: deployment.replicas,
    };
    return this.target(deployment.id, app, deployment.environment, deployment.revision, content, configVersion);
  }

  /** Refuses a rollout the viewer could not run (it acts for them at inference) or one that overlaps another. */
  private async assertCanRollOut(viewer: Viewer, deployment: Deployment | null): Promise<void> {
    const missing = ROLLOUT_PERMISSIONS.filter((p) => !viewer.permissions.includes(p));
    if (missing.length > 0)
      throw new DomainError(
        'FORBIDDEN',
        `A rollout creates and updates inference endpoints: it needs ${missing.join(', ')}`,
        { permission: missing[0], permissions: missing },
      );
    if (deployment?.status !== DeploymentStatus.DEPLOYING || deployment.revision === 0) return;
    // A rollout whose job ended without finishing the release (it failed unexpectedly) no longer blocks the next.
    const claim = await this.deps.rollouts.status(rolloutJobId(deployment.id, deployment.revision));
    if (claim && (claim.state === 'queued' || claim.state === 'claimed'))
      throw new ConflictError(`Release ${deployment.revision} of this deployment is still rolling out`);
  }

  /**
   * Records the release as DEPLOYING and hands it to a rollout job (lib/src/jobs: claimed by one
   * worker, taken over if that worker dies, acting for the user through a delegated token), then
   * waits up to `rolloutWaitMs` for it.
   * @returns the deployment as the rollout left it (DEPLOYING when it is still running); throws
   *   DEPLOYMENT_FAILED with the driver's reason when the release failed
   */
  private async rollOut(
    em: EntityManager,
    deployment: Deployment,
    target: DriverTarget,
    actorId: string,
    rolledBackFrom: number | null,
  ): Promise<Deployment> {
    const previousStatus = deployment.revision === 0 ? null : deployment.status;
    Object.assign(deployment, {
      revision: target.revision,
      status: DeploymentStatus.DEPLOYING,
      endpointsState: target.content.endpoints,
      configVersionId: target.content.configVersionId,
      resources: target.content.resources,
      scaling: target.content.scaling,
      replicas: target.content.replicas,
    });
    if (target.content.scaling) deployment.scalingHistory = emptyScalingHistory();
    await em.flush();
    const payload: RolloutPayload = {
      deploymentId: deployment.id,
      organizationId: deployment.organizationId,
      revision: target.revision,
      rolledBackFrom,
      previousStatus,
      actorId,
    };
    try {
      await this.deps.rollouts.enqueue(ROLLOUT_JOB, rolloutJobId(deployment.id, target.revision), payload);
    } catch (error) {
      await this.failRollout(em, deployment, payload, error as Error);
      throw error;
    }
    const deadline = Date.now() + this.deps.rolloutWaitMs;
    let current: Deployment;
    for (;;) {
      current = (await this.deps.deployments.reload(em, deployment.id)) ?? deployment;
      if (current.revision !== target.revision || current.status !== DeploymentStatus.DEPLOYING) break;
      if (Date.now() >= deadline) return current;
      await sleep(50);
    }
    if (current.revision === target.revision && current.status === DeploymentStatus.FAILED) {
      // The driver's own error, as the rollout recorded it (its code, e.g. DRIVER_UNAVAILABLE or FORBIDDEN).
      const [event] = await this.deps.deployments.lastEvents(em, deployment.id, 1);
      const failure = (event?.data ?? {}) as { code?: unknown; error?: unknown };
      throw new DomainError(
        typeof failure.code === 'string' ? failure.code : 'DEPLOYMENT_FAILED',
        typeof failure.error === 'string' ? failure.error : (event?.message ?? `release ${target.revision} failed`),
        { deploymentId: deployment.id, revision: target.revision },
      );
    }
    return current;
  }

  /**
   * Applies a rollout job's release with the driver (the job's worker calls it, with the delegated
   * token), then records the release and RUNNING, or FAILED with the reason. A release that is no
   * longer the deployment's pending one (superseded, or finished by an earlier attempt) is left alone.
   * @param write runs the final writes in the job's fenced transaction (the claim still held)
   */
  async completeRollout(
    payload: RolloutPayload,
    authorization: () => Promise<string>,
    read: EntityManager,
    write: (work: (em: EntityManager) => Promise<void>) => Promise<void>,
  ): Promise<void> {
    const pending = async (em: EntityManager) => {
      const d = await this.deps.deployments.reload(em, payload.deploymentId);
      return d && d.revision === payload.revision && d.status === DeploymentStatus.DEPLOYING ? d : null;
    };
    const deployment = await pending(read);
    if (!deployment) return;
    let endpoints: Deployment['endpointsState'];
    let target: DriverTarget;
    try {
      target = await this.current(read, deployment);
      endpoints = await this.drivers[deployment.driver].apply(target, await authorization());
    } catch (error) {
      await write(async (em) => {
        const d = await pending(em);
        if (d) await this.failRollout(em, d, payload, error as Error);
      });
      return;
    }
    let recorded = false;
    await write(async (em) => {
      const d = await pending(em);
      if (!d) return;
      recorded = true;
      d.endpointsState = endpoints;
      em.create(Release, {
        organizationId: d.organizationId,
        deploymentId: d.id,
        revision: payload.revision,
        endpoints: endpoints.map((e) => ({ ...e, endpointId: null })),
        configVersionId: d.configVersionId ?? null,
        resources: d.resources,
        scaling: d.scaling,
        replicas: d.replicas,
        rolledBackFrom: payload.rolledBackFrom,
        createdById: payload.actorId,
      });
      d.status = DeploymentStatus.RUNNING;
      d.health = HealthState.UNKNOWN;
      const rolledBack = payload.rolledBackFrom !== null;
      const config = d.configVersionId ? await this.deps.configVersions.byId(em, d.configVersionId) : null;
      await this.deps.timeline.record(
        em,
        d,
        rolledBack ? DeploymentEventKind.ROLLED_BACK : DeploymentEventKind.DEPLOYED,
        payload.previousStatus,
        rolledBack
          ? `rolled back to release ${payload.rolledBackFrom} as release ${payload.revision}`
          : `release ${payload.revision} deployed`,
        payload.actorId,
        {
          revision: payload.revision,
          configVersion: config?.version || null,
          endpoints: endpoints.map((e) => ({ name: e.name, weight: e.weight })),
        },
      );
    });
    // After the release is recorded (so a rollout that lost its claim reports nothing); in the background.
    if (recorded)
      void this.deps.lineage?.rolledOut({
        organizationId: deployment.organizationId,
        application: target.application,
        environment: deployment.environment,
        deploymentId: deployment.id,
        revision: payload.revision,
        rolledBackFrom: payload.rolledBackFrom,
        endpoints,
      });
  }

  private async failRollout(
    em: EntityManager,
    deployment: Deployment,
    payload: RolloutPayload,
    error: Error,
  ): Promise<void> {
    deployment.status = DeploymentStatus.FAILED;
    await this.deps.timeline.record(
      em,
      deployment,
      DeploymentEventKind.FAILED,
      payload.previousStatus,
      `release ${payload.revision} failed: ${error.message}`,
      payload.actorId,
      {
        code: (error as { extensions?: { code?: unknown } }).extensions?.code ?? 'DEPLOYMENT_FAILED',
        error: error.message,
      },
    );
  }

  private validate(input: DeployInput, environments: string[]): ReleaseContent {
    const problems: FieldProblem[] = [];
    if (!environments.includes(input.environment))
      problems.push({ field: 'environment', message: `must be one of ${environments.join(', ')}` });
    const endpoints = input.endpoints.map((e) => ({
      name: e.name,
      weight: e.weight,
      routes: e.routes.map((r) => ({ modelVersionId: r.modelVersion, weight: r.weight })),
      endpointId: null,
    }));
    problems.push(
      ...findEndpointProblems(
        endpoints.map((e) => ({ id: e.name, name: e.name, weight: e.weight, modelVersionIds: [] })),
      ),
    );
    endpoints.forEach((e, i) => {
      if (e.routes.length === 0 || e.routes.every((r) => !(r.weight > 0)))
        problems.push({ field: `endpoints.${i}.routes`, message: 'at least one route with a positive weight' });
    });
    const resources = fromResourcesInput(input.resources);
    const scaling = input.scaling ? fromScalingInput(input.scaling) : null;
    problems.push(...findResourceProblems(resources, { cpuTarget: scaling?.target.kind === 'CPU' }));
    if (scaling) {
      try {
        resolveScalingPolicy(scaling);
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        problems.push(...error.fields);
      }
    }
    const thresholds = input.healthThresholds;
    for (const key of ['maxErrorRate', 'criticalErrorRate'] as const) {
      const v = thresholds?.[key];
      if (v !== undefined && v !== null && !(v >= 0 && v <= 1))
        problems.push({ field: `healthThresholds.${key}`, message: 'must be a fraction between 0 and 1' });
    }
    if (thresholds?.maxLatencyP95Ms != null && !(thresholds.maxLatencyP95Ms > 0))
      problems.push({ field: 'healthThresholds.maxLatencyP95Ms', message: 'must be positive' });
    if (thresholds?.minRequests != null && !(thresholds.minRequests >= 0))
      problems.push({ field: 'healthThresholds.minRequests', message: 'must be >= 0' });
    const replicas = scaling ? Math.max(scaling.minReplicas, 1) : (input.replicas ?? 1);
    if (!Number.isInteger(replicas) || replicas < 0 || replicas > 1000)
      problems.push({ field: 'replicas', message: 'must be a whole number in 0..1000' });
    this.badInputFields(problems);
    return { endpoints, configVersionId: input.configVersionId ?? null, resources, scaling, replicas };
  }

  private target(
    deploymentId: string,
    app: { id: string; name: string },
    environment: string,
    revision: number,
    content: ReleaseContent,
    config: ConfigVersion | null,
  ): DriverTarget {
    const rendered = config
      ? configForRelease({ entries: config.storedEntries, checksum: config.checksum })
      : { values: {}, secrets: [] };
    return {
      deploymentId,
      application: { id: app.id, name: app.name },
      environment,
      revision,
      content,
      config: { version: config?.version ?? 0, ...rendered },
    };
  }

  private planOrRefuse(kind: DriverKind, target: DriverTarget): unknown[] {
    return this.badInput(() => this.drivers[kind].plan(target));
  }

  private badInput<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof InvalidInputError) throw new BadUserInputError(error.message.split(':')[0]!, error.fields);
      throw error;
    }
  }

  private badInputFields(problems: FieldProblem[]): void {
    if (problems.length > 0) throw new BadUserInputError('Invalid release', problems);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}
