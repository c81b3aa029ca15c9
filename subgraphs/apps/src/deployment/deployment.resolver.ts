import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import { Application } from '../application/application.entity';
import { ConfigVersion } from '../config-version/config-version.entity';
import type { AppsContext } from '../context';
import { forwardedAuthorization } from '../context';
import { DeploymentEvent } from './deployment-event.entity';
import { Deployment } from './deployment.entity';
import { DeployInput, ScalingPolicyInput } from './deployment.input';
import { toDiagnostics, toReleaseEndpoints, toResources, toScalingPolicy } from './deployment.mapper';
import { DEPLOYMENT_EVENTS } from './deployment.model';
import {
  DeployResult,
  DeploymentResources,
  HealthDiagnostic,
  ReleaseEndpoint,
  ReleaseRecord,
  ScalingDecisionRecord,
  ScalingPolicy,
} from './deployment.types';

interface EventPayload {
  organizationId: string;
  deploymentId: string;
  applicationId: string;
  at: string;
}

@Resolver(() => Deployment)
export class DeploymentResolver {
  @Query(() => Deployment, { nullable: true })
  deployment(@Arg('id', () => ID) id: string, @Ctx() ctx: AppsContext): Promise<Deployment> {
    return ctx.services.deployments.get(requestScope(ctx), id);
  }

  @Query(() => [Deployment], {
    nullable: true,
    description: "The organization's deployments, optionally of one application or environment",
  })
  deployments(
    @Ctx() ctx: AppsContext,
    @Arg('applicationId', () => ID, { nullable: true }) applicationId?: string,
    @Arg('environment', () => String, { nullable: true }) environment?: string,
  ): Promise<Deployment[]> {
    return ctx.services.deployments.list(requestScope(ctx), { applicationId, environment });
  }

  @Mutation(() => DeployResult, { description: 'Rolls out a new release of an application to an environment' })
  deploy(@Arg('input', () => DeployInput) input: DeployInput, @Ctx() ctx: AppsContext): Promise<DeployResult> {
    return ctx.services.deployments.deploy(requestScope(ctx), input);
  }

  @Mutation(() => Deployment)
  pauseDeployment(@Arg('id', () => ID) id: string, @Ctx() ctx: AppsContext): Promise<Deployment> {
    return ctx.services.deployments.pause(requestScope(ctx), id, forwardedAuthorization(ctx));
  }

  @Mutation(() => Deployment)
  resumeDeployment(@Arg('id', () => ID) id: string, @Ctx() ctx: AppsContext): Promise<Deployment> {
    return ctx.services.deployments.resume(requestScope(ctx), id, forwardedAuthorization(ctx));
  }

  @Mutation(() => Deployment, { description: 'Sets the replica count by hand and turns autoscaling off' })
  scaleDeployment(
    @Arg('id', () => ID) id: string,
    @Arg('replicas', () => Int) replicas: number,
    @Ctx() ctx: AppsContext,
  ): Promise<Deployment> {
    return ctx.services.deployments.scale(requestScope(ctx), id, replicas, forwardedAuthorization(ctx));
  }

  @Mutation(() => Deployment, { description: 'Turns autoscaling on with this policy, or off with null' })
  setScalingPolicy(
    @Arg('id', () => ID) id: string,
    @Arg('policy', () => ScalingPolicyInput, { nullable: true }) policy: ScalingPolicyInput | null,
    @Ctx() ctx: AppsContext,
  ): Promise<Deployment> {
    return ctx.services.deployments.setScalingPolicy(requestScope(ctx), id, policy, forwardedAuthorization(ctx));
  }

  @Mutation(() => Deployment, {
    description: 'Restores an earlier release (default: the previous one): endpoints, weights and config together',
  })
  rollbackDeployment(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: AppsContext,
    @Arg('toRevision', () => Int, { nullable: true }) toRevision?: number,
  ): Promise<Deployment> {
    return ctx.services.deployments.rollback(requestScope(ctx), id, toRevision ?? null);
  }

  @Mutation(() => Deployment, { description: 'Removes everything the deployment created; its timeline stays' })
  deleteDeployment(@Arg('id', () => ID) id: string, @Ctx() ctx: AppsContext): Promise<Deployment> {
    return ctx.services.deployments.delete(requestScope(ctx), id, forwardedAuthorization(ctx));
  }

  @Mutation(() => Deployment, { description: 'Runs a health check (and an autoscaler step) now, as the caller' })
  checkDeploymentHealth(@Arg('id', () => ID) id: string, @Ctx() ctx: AppsContext): Promise<Deployment> {
    return ctx.services.monitor.checkNow(requestScope(ctx), id, forwardedAuthorization(ctx));
  }

  @Subscription(() => DeploymentEvent, {
    topics: DEPLOYMENT_EVENTS,
    description: 'Status changes and lifecycle steps of deployments, as they happen',
    filter: ({
      payload,
      args,
      context,
    }: {
      payload: EventPayload;
      args: { deploymentId?: string; applicationId?: string };
      context: AppsContext;
    }) =>
      payload.organizationId === context.viewer?.organizationId &&
      (!args.deploymentId || args.deploymentId === payload.deploymentId) &&
      (!args.applicationId || args.applicationId === payload.applicationId),
  })
  deploymentStatusChanged(
    @Root() payload: EventPayload,
    @Arg('deploymentId', () => ID, { nullable: true }) _deploymentId?: string,
    @Arg('applicationId', () => ID, { nullable: true }) _applicationId?: string,
  ): DeploymentEvent {
    return Object.assign(new DeploymentEvent(), payload, { createdAt: new Date(payload.at) });
  }

  @FieldResolver(() => Application)
  application(@Root() d: Deployment, @Ctx() ctx: AppsContext): Promise<Application> {
    return ctx.services.deployments.applicationOf(requestScope(ctx), d);
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
  configVersion(@Root() d: Deployment, @Ctx() ctx: AppsContext): Promise<ConfigVersion | null> {
    return ctx.services.deployments.configVersionOf(requestScope(ctx), d);
  }

  @FieldResolver(() => [HealthDiagnostic], { description: 'Why the deployment is not healthy, from the last check' })
  diagnostics(@Root() d: Deployment): HealthDiagnostic[] {
    return toDiagnostics(d.diagnosticsState);
  }

  @FieldResolver(() => ScalingDecisionRecord, {
    nullable: true,
    description: "The autoscaler's last step, with its inputs",
  })
  lastScalingDecision(@Root() d: Deployment): ScalingDecisionRecord | null {
    return d.lastDecision ? { ...d.lastDecision, at: new Date(d.lastDecision.at) } : null;
  }

  @FieldResolver(() => [ReleaseRecord], { description: 'Every release, newest first' })
  releases(@Root() d: Deployment, @Ctx() ctx: AppsContext): Promise<ReleaseRecord[]> {
    return ctx.services.deployments.releasesOf(requestScope(ctx), d);
  }

  @FieldResolver(() => [DeploymentEvent], { description: 'Lifecycle steps and status changes, oldest first' })
  timeline(
    @Root() d: Deployment,
    @Ctx() ctx: AppsContext,
    @Arg('last', () => Int, { nullable: true }) last?: number,
  ): Promise<DeploymentEvent[]> {
    return ctx.services.deployments.timelineOf(requestScope(ctx), d, last ?? null);
  }
}
