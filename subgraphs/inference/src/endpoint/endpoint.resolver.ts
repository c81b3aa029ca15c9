import { Arg, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import { ModelVersionRef, OrganizationRef, UserRef } from '../common/refs.type';
import type { InferenceContext } from '../context';
import { Endpoint } from './endpoint.entity';
import { CreateEndpointInput, UpdateEndpointInput } from './endpoint.input';
import {
  BatchingSettings,
  EffectiveBatching,
  EndpointMetricsEvent,
  EndpointReplica,
  EndpointRoute,
  EndpointStatus,
  ExecutionProviderName,
  SessionStateName,
  VersionMetrics,
  VersionReadiness,
  WarmupDim,
} from './endpoint.types';

@Resolver(() => Endpoint)
export class EndpointResolver {
  @Query(() => Endpoint, { nullable: true, description: 'An endpoint by id or name' })
  endpoint(@Arg('id', () => String) id: string, @Ctx() ctx: InferenceContext): Promise<Endpoint> {
    return ctx.services.endpoints.get(requestScope(ctx), id);
  }

  @Query(() => [Endpoint], { nullable: true })
  endpoints(@Ctx() ctx: InferenceContext): Promise<Endpoint[]> {
    return ctx.services.endpoints.list(requestScope(ctx));
  }

  @Mutation(() => Endpoint, { description: 'Creates an endpoint; its versions start loading at once (see status)' })
  createEndpoint(
    @Arg('input', () => CreateEndpointInput) input: CreateEndpointInput,
    @Ctx() ctx: InferenceContext,
  ): Promise<Endpoint> {
    return ctx.services.endpoints.create(requestScope(ctx), input, ctx.authorization);
  }

  @Mutation(() => Endpoint)
  updateEndpoint(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateEndpointInput) input: UpdateEndpointInput,
    @Ctx() ctx: InferenceContext,
  ): Promise<Endpoint> {
    return ctx.services.endpoints.update(requestScope(ctx), id, input, ctx.authorization);
  }

  @Mutation(() => ID, { description: 'Deletes an endpoint; sessions stay cached for other endpoints' })
  deleteEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: InferenceContext): Promise<string> {
    return ctx.services.endpoints.delete(requestScope(ctx), id);
  }

  @Mutation(() => Endpoint, { description: 'Loads versions again, retrying those whose load failed; waits until done' })
  reloadEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: InferenceContext): Promise<Endpoint> {
    return ctx.services.endpoints.reload(requestScope(ctx), id, ctx.authorization);
  }

  @FieldResolver(() => [EndpointRoute])
  routes(@Root() endpoint: Endpoint): EndpointRoute[] {
    const total = endpoint.routes.reduce((n, r) => n + r.weight, 0);
    return endpoint.routes.map((r) => ({
      modelVersion: { id: r.modelVersionId },
      weight: r.weight,
      share: total > 0 ? r.weight / total : 0,
    }));
  }

  @FieldResolver(() => ModelVersionRef, { nullable: true })
  shadow(@Root() endpoint: Endpoint): ModelVersionRef | null {
    return endpoint.shadowModelVersionId ? { id: endpoint.shadowModelVersionId } : null;
  }

  @FieldResolver(() => BatchingSettings)
  batching(@Root() endpoint: Endpoint): BatchingSettings {
    return { maxBatchSize: endpoint.maxBatchSize, maxQueueDelayMs: endpoint.maxQueueDelayMs };
  }

  @FieldResolver(() => EffectiveBatching, {
    description:
      'Whether requests are really joined into batches on the replica that answers: the batching setting, and every version of the endpoint can batch (see versions { effectiveBatching })',
  })
  effectiveBatching(@Root() endpoint: Endpoint, @Ctx() ctx: InferenceContext): EffectiveBatching {
    return ctx.services.endpoints.effectiveBatching(endpoint);
  }

  @FieldResolver(() => Int, {
    description: 'Session runs of this endpoint executing now on this service replica (at most replicas)',
  })
  runsInFlight(@Root() endpoint: Endpoint, @Ctx() ctx: InferenceContext): number {
    return ctx.services.endpoints.runs(endpoint).inFlight;
  }

  @FieldResolver(() => Int, {
    description: 'Session runs of this endpoint waiting for a free replica on this service replica',
  })
  runsQueued(@Root() endpoint: Endpoint, @Ctx() ctx: InferenceContext): number {
    return ctx.services.endpoints.runs(endpoint).queued;
  }

  @FieldResolver(() => [ExecutionProviderName])
  executionProviders(@Root() endpoint: Endpoint): ExecutionProviderName[] {
    return endpoint.executionProviders as ExecutionProviderName[];
  }

  @FieldResolver(() => [WarmupDim])
  warmupDims(@Root() endpoint: Endpoint): WarmupDim[] {
    return Object.entries(endpoint.warmupDims ?? {}).map(([name, size]) => ({ name, size }));
  }

  @FieldResolver(() => EndpointStatus, {
    description:
      'Over the live replicas of the service, the same whichever answers: READY when any replica has every routed version loaded and warm (see serviceReplicas)',
  })
  async status(@Root() endpoint: Endpoint, @Ctx() ctx: InferenceContext): Promise<EndpointStatus> {
    return (await ctx.services.endpoints.status(endpoint, ctx)).status;
  }

  @FieldResolver(() => Boolean, {
    description: 'True when every routed version is loaded and warm on at least one live replica',
  })
  async ready(@Root() endpoint: Endpoint, @Ctx() ctx: InferenceContext): Promise<boolean> {
    return (await ctx.services.endpoints.status(endpoint, ctx)).status === EndpointStatus.READY;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Why the endpoint is not ready' })
  async statusReason(@Root() endpoint: Endpoint, @Ctx() ctx: InferenceContext): Promise<string | null> {
    return (await ctx.services.endpoints.status(endpoint, ctx)).reason;
  }

  @FieldResolver(() => [EndpointReplica], {
    description:
      "Each live replica of the inference service (not the endpoint's own `replicas` setting) with the endpoint's state there; status is their aggregate",
  })
  async serviceReplicas(@Root() endpoint: Endpoint, @Ctx() ctx: InferenceContext): Promise<EndpointReplica[]> {
    const { replicas } = await ctx.services.endpoints.status(endpoint, ctx);
    return replicas.map((r) => ({
      replica: r.replica,
      current: r.current,
      status: r.status,
      reason: r.reason,
      heartbeatAt: r.heartbeatAt,
      versions: r.versions.map((v) => ({
        modelVersion: { id: v.key },
        role: v.role,
        state: v.state as SessionStateName,
        reason: v.state === 'READY' ? null : (v.reason ?? null),
        provider: (v.provider as ExecutionProviderName | null) ?? null,
      })),
    }));
  }

  @FieldResolver(() => [VersionReadiness], { description: 'Session state of each version on the replica that answers' })
  versions(@Root() endpoint: Endpoint, @Ctx() ctx: InferenceContext): VersionReadiness[] {
    return ctx.services.endpoints.versionReadiness(endpoint);
  }

  @FieldResolver(() => [VersionMetrics], {
    description: 'Per-version metrics over the last windowSeconds (default 60)',
  })
  metrics(
    @Root() endpoint: Endpoint,
    @Arg('windowSeconds', () => Float, { nullable: true }) windowSeconds: number | undefined,
    @Ctx() ctx: InferenceContext,
  ): VersionMetrics[] {
    return ctx.services.endpoints.metrics(endpoint, windowSeconds);
  }

  @FieldResolver(() => OrganizationRef)
  organization(@Root() endpoint: Endpoint): OrganizationRef {
    return { id: endpoint.organizationId };
  }

  @FieldResolver(() => UserRef)
  createdBy(@Root() endpoint: Endpoint): UserRef {
    return { id: endpoint.createdById };
  }

  @Subscription(() => EndpointMetricsEvent, {
    description: 'Live per-version metrics of an endpoint, every intervalMs (default 1000, at least 100)',
    subscribe: async ({ args, context }) => {
      const ctx = context as InferenceContext;
      return ctx.services.endpoints.watchMetrics(
        requestScope(ctx),
        args.endpoint as string,
        args.intervalMs as number | undefined,
        args.windowSeconds as number | undefined,
      );
    },
  })
  endpointMetrics(
    @Root() event: EndpointMetricsEvent,
    @Arg('endpoint', () => String) _endpoint: string,
    @Arg('intervalMs', () => Int, { nullable: true }) _intervalMs?: number,
    @Arg('windowSeconds', () => Float, { nullable: true }) _windowSeconds?: number,
  ): EndpointMetricsEvent {
    return event;
  }
}
