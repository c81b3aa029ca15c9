import { Arg, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import { JSONScalar, requireViewer } from '../../../../lib/src/index';
import { Application } from '../application/application.entity';
import { ConfigVersion } from '../config-version/config-version.entity';
import type { AppsContext } from '../context';
import { forwardedAuthorization } from '../context';
import { DeploymentEvent } from './deployment-event.entity';
import { Deployment } from './deployment.entity';
import { DeployInput, ScalingPolicyInput } from './deployment.input';
import { toDiagnostics, toReleaseEndpoints, toResources, toScalingPolicy } from './deployment.mapper';
import { DEPLOYMENT_EVENTS, DeploymentStatus } from './deployment.model';
import { DeploymentResources, HealthDiagnostic, ReleaseEndpoint, ReleaseRecord, ScalingDecisionRecord, ScalingPolicy } from './deployment.types';
import { Release } from './release.entity';

@ObjectType({ description: 'The deployment after a rollout, or on a dry run what the driver would apply' })
export class DeployResult {
  @Field(() => Deployment, { nullable: true, description: 'Null on a dry run' }) deployment!: Deployment | null;
  @Field(() => Boolean) dryRun!: boolean;
  @Field(() => [JSONScalar], { description: 'kubernetes: Deployment, Service, HorizontalPodAutoscaler, VirtualService objects; local: the inference endpoint changes' })
  objects!: unknown[];
}

interface EventPayload {
  organizationId: string;
  deploymentId: string;
  applicationId: string;
  at: string;
}

@Resolver(() => Deployment)
export class DeploymentResolver {
  @Query(() => Deployment)
  deployment(@Arg('id', () => ID) id: string, @Ctx() ctx: AppsContext): Promise<Deployment> {
    return ctx.services.deployments.get(ctx.em, ctx.viewer, id);
  }

  @Query(() => [Deployment], { description: "The organization's deployments, optionally of one application or environment" })
  deployments(
    @Ctx() ctx: AppsContext,
    @Arg('applicationId', () => ID, { nullable: true }) applicationId?: string,
    @Arg('environment', () => String, { nullable: true }) environment?: string,
  ): Promise<Deployment[]> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.em.find(
      Deployment,
      { organizationId: viewer.organizationId, status: { $ne: DeploymentStatus.DELETED }, ...(applicationId ? { applicationId } : {}), ...(environment ? { environment } : {}) },
      { orderBy: { createdAt: 'asc' } },
    );
  }

  @Mutation(() => DeployResult, { description: 'Rolls out a new release of an application to an environment' })
  async deploy(@Arg('input', () => DeployInput) input: DeployInput, @Ctx() ctx: AppsContext): Promise<DeployResult> {
    const result = await ctx.services.deployments.deploy(ctx.em, requireViewer(ctx.viewer), input, forwardedAuthorization(ctx));
    return { deployment: result.deployment, dryRun: Boolean(input.dryRun), objects: result.objects };
  }

  @Mutation(() => Deployment)
  pauseDeployment(@Arg('id', () => ID) id: string, @Ctx() ctx: AppsContext): Promise<Deployment> {
    return ctx.services.deployments.pause(ctx.em, requireViewer(ctx.viewer), id, forwardedAuthorization(ctx));
  }

  @Mutation(() => Deployment)
  resumeDeployment(@Arg('id', () => ID) id: string, @Ctx() ctx: AppsContext): Promise<Deployment> {
    return ctx.services.deployments.resume(ctx.em, requireViewer(ctx.viewer), id, forwardedAuthorization(ctx));
  }

  @Mutation(() => Deployment, { description: 'Sets the replica count by hand and turns autoscaling off' })
  scaleDeployment(@Arg('id', () => ID) id: string, @Arg('replicas', () => Int) replicas: number, @Ctx() ctx: AppsContext): Promise<Deployment> {
    return ctx.services.deployments.scale(ctx.em, requireViewer(ctx.viewer), id, replicas, forwardedAuthorization(ctx));
  }

  @Mutation(() => Deployment, { description: 'Turns autoscaling on with this policy, or off with null' })
  setScalingPolicy(
    @Arg('id', () => ID) id: string,
    @Arg('policy', () => ScalingPolicyInput, { nullable: true }) policy: ScalingPolicyInput | null,
    @Ctx() ctx: AppsContext,
  ): Promise<Deployment> {
    return ctx.services.deployments.setScalingPolicy(ctx.em, requireViewer(ctx.viewer), id, policy, forwardedAuthorization(ctx));
  }

  @Mutation(() => Deployment, { description: 'Restores an earlier release (default: the previous one): endpoints, weights and config together' })
  rollbackDeployment(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: AppsContext,
    @Arg('toRevision', () => Int, { nullable: true }) toRevision?: number,
  ): Promise<Deployment> {
    return ctx.services.deployments.rollback(ctx.em, requireViewer(ctx.viewer), id, toRevision ?? null, forwardedAuthorization(ctx));
  }

  @Mutation(() => Deployment, { description: 'Removes everything the deployment created; its timeline stays' })
  deleteDeployment(@Arg('id', () => ID) id: string, @Ctx() ctx: AppsContext): Promise<Deployment> {
    return ctx.services.deployments.delete(ctx.em, requireViewer(ctx.viewer), id, forwardedAuthorization(ctx));
  }

  @Mutation(() => Deployment, { description: 'Runs a health check (and an autoscaler step) now, as the caller' })
  async checkDeploymentHealth(@Arg('id', () => ID) id: string, @Ctx() ctx: AppsContext): Promise<Deployment> {
    const deployment = await ctx.services.deployments.get(ctx.em, ctx.viewer, id);
    return ctx.services.monitor.check(ctx.em, deployment, forwardedAuthorization(ctx), requireViewer(ctx.viewer).id);
  }

  @Subscription(() => DeploymentEvent, {
    topics: DEPLOYMENT_EVENTS,
    description: 'Status changes and lifecycle steps of deployments, as they happen',
    filter: ({ payload, args, context }: { payload: EventPayload; args: { deploymentId?: string; applicationId?: string }; context: AppsContext }) =>
      payload.organizationId === context.viewer?.organizationId &&
      (!args.deploymentId || args.deploymentId === payload.deploymentId) &&
      (!args.applicationId || args.applicationId === payload.applicationId),
  })
  deploymentStatusChanged(
    @Root() payload: EventPayload,
    @Arg('deploymentId', () => ID, { nullable: true }) _deploymentId?: string,
    @Arg('applicationId', () => ID, { nullable: true }) _applicationId?: string,
  ): DeploymentEvent {
    return Object.assign(new DeploymentEvent(), payload, { at: new Date(payload.at) });
  }

  @FieldResolver(() => Application)
  application(@Root() d: Deployment, @Ctx() ctx: AppsContext): Promise<Application> {
    return ctx.em.findOneOrFail(Application, { id: d.applicationId });
  }

  @FieldResolver(() => [ReleaseEndpoint])
  endpoints(@Root() d: Deployment): ReleaseEndpoint[] {
    return toReleaseEndpoints(d.endpointsState);
  }

  @FieldResolver(() => DeploymentResources)
  resources(@Root() d: Deployment): DeploymentResources {
    return toResources(d.resources);
  }

  @FieldResolver(() => ScalingPolicy, { nullable: true, description: 'Null when the replica count is set by hand' })
  scaling(@Root() d: Deployment): ScalingPolicy | null {
    return toScalingPolicy(d.scaling);
  }

  @FieldResolver(() => ConfigVersion, { nullable: true })
  configVersion(@Root() d: Deployment, @Ctx() ctx: AppsContext): Promise<ConfigVersion | null> | null {
    return d.configVersionId ? ctx.em.findOne(ConfigVersion, { id: d.configVersionId }) : null;
  }

  @FieldResolver(() => [HealthDiagnostic], { description: 'Why the deployment is not healthy, from the last check' })
  diagnostics(@Root() d: Deployment): HealthDiagnostic[] {
    return toDiagnostics(d.diagnosticsState);
  }

  @FieldResolver(() => ScalingDecisionRecord, { nullable: true, description: "The autoscaler's last step, with its inputs" })
  lastScalingDecision(@Root() d: Deployment): ScalingDecisionRecord | null {
    return d.lastDecision ? { ...d.lastDecision, at: new Date(d.lastDecision.at) } : null;
  }

  @FieldResolver(() => [ReleaseRecord], { description: 'Every release, newest first' })
  async releases(@Root() d: Deployment, @Ctx() ctx: AppsContext): Promise<ReleaseRecord[]> {
    const releases = await ctx.em.find(Release, { deploymentId: d.id }, { orderBy: { revision: 'desc' } });
    return releases.map((r) => ({
      id: r.id,
      revision: r.revision,
      endpoints: toReleaseEndpoints(r.endpoints),
      configVersionId: r.configVersionId ?? null,
      resources: toResources(r.resources),
      scaling: toScalingPolicy(r.scaling),
      replicas: r.replicas,
      rolledBackFrom: r.rolledBackFrom ?? null,
      createdAt: r.createdAt,
    }));
  }

  @FieldResolver(() => [DeploymentEvent], { description: 'Lifecycle steps and status changes, oldest first' })
  timeline(@Root() d: Deployment, @Ctx() ctx: AppsContext, @Arg('last', () => Int, { nullable: true }) last?: number): Promise<DeploymentEvent[]> {
    return ctx.em
      .find(DeploymentEvent, { deploymentId: d.id }, { orderBy: { sequence: 'desc' }, ...(last ? { limit: Math.min(last, 500) } : { limit: 500 }) })
      .then((events) => events.reverse());
  }
}
