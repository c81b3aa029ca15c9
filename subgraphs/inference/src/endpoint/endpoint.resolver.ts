import { Arg, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requireViewer } from '../../../../lib/src/index';
import { intervalIterable } from '../common/interval.iterable';
import { ModelVersionRef, OrganizationRef, UserRef } from '../common/refs.type';
import type { InferenceContext } from '../context';
import { Endpoint } from './endpoint.entity';
import { CreateEndpointInput, UpdateEndpointInput } from './endpoint.input';
import { BatchingSettings, EndpointMetricsEvent, EndpointRoute, EndpointStatus, ExecutionProviderName, VersionMetrics, VersionReadiness, WarmupDim } from './endpoint.types';
import { endpointStatus, toVersionMetrics, toVersionReadiness } from './endpoint.view';

@Resolver(() => Endpoint)
export class EndpointResolver {
  @Query(() => Endpoint, { description: 'An endpoint by id or name' })
  async endpoint(@Arg('id', () => String) id: string, @Ctx() ctx: InferenceContext): Promise<Endpoint> {
    return ctx.app.endpoints.find(ctx.em, requireViewer(ctx.viewer), id);
  }

  @Query(() => [Endpoint])
  async endpoints(@Ctx() ctx: InferenceContext): Promise<Endpoint[]> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.em.find(Endpoint, { organizationId: viewer.organizationId }, { orderBy: { name: 'asc' } });
  }

  @Mutation(() => Endpoint, { description: 'Creates an endpoint; its versions start loading at once (see status)' })
  async createEndpoint(@Arg('input', () => CreateEndpointInput) input: CreateEndpointInput, @Ctx() ctx: InferenceContext): Promise<Endpoint> {
    const endpoint = await ctx.app.endpoints.create(ctx.em, requireViewer(ctx.viewer), input, ctx.authorization);
    // New settings (providers, warm-up sizes) may fix a version that failed before: retry those.
    ctx.app.serving.loadInBackground(endpoint, ctx.authorization, true);
    return endpoint;
  }

  @Mutation(() => Endpoint)
  async updateEndpoint(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateEndpointInput) input: UpdateEndpointInput,
    @Ctx() ctx: InferenceContext,
  ): Promise<Endpoint> {
    const endpoint = await ctx.app.endpoints.update(ctx.em, requireViewer(ctx.viewer), id, input, ctx.authorization);
    ctx.app.serving.loadInBackground(endpoint, ctx.authorization, true);
    return endpoint;
  }

  @Mutation(() => ID, { description: 'Deletes an endpoint; sessions stay cached for other endpoints' })
  async deleteEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: InferenceContext): Promise<string> {
    const endpoint = await ctx.app.endpoints.delete(ctx.em, requireViewer(ctx.viewer), id);
    ctx.app.serving.forget(id);
    return endpoint.id;
  }

  @Mutation(() => Endpoint, { description: 'Loads versions again, retrying those whose load failed; waits until done' })
  async reloadEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: InferenceContext): Promise<Endpoint> {
    const endpoint = await ctx.app.endpoints.find(ctx.em, requireViewer(ctx.viewer), id);
    await ctx.app.serving.ensureLoaded(endpoint, ctx.authorization, true);
    return endpoint;
  }

  @FieldResolver(() => [EndpointRoute])
  routes(@Root() endpoint: Endpoint): EndpointRoute[] {
    const total = endpoint.routes.reduce((n, r) => n + r.weight, 0);
    return endpoint.routes.map((r) => ({ modelVersion: { id: r.modelVersionId }, weight: r.weight, share: total > 0 ? r.weight / total : 0 }));
  }

  @FieldResolver(() => ModelVersionRef, { nullable: true })
  shadow(@Root() endpoint: Endpoint): ModelVersionRef | null {
    return endpoint.shadowModelVersionId ? { id: endpoint.shadowModelVersionId } : null;
  }

  @FieldResolver(() => BatchingSettings)
  batching(@Root() endpoint: Endpoint): BatchingSettings {
    return { maxBatchSize: endpoint.maxBatchSize, maxQueueDelayMs: endpoint.maxQueueDelayMs };
  }

  @FieldResolver(() => Int, { description: 'Session runs of this endpoint executing now on this service replica (at most replicas)' })
  runsInFlight(@Root() endpoint: Endpoint, @Ctx() ctx: InferenceContext): number {
    return ctx.app.serving.limiterOf(endpoint).inFlight;
  }

  @FieldResolver(() => Int, { description: 'Session runs of this endpoint waiting for a free replica on this service replica' })
  runsQueued(@Root() endpoint: Endpoint, @Ctx() ctx: InferenceContext): number {
    return ctx.app.serving.limiterOf(endpoint).queued;
  }

  @FieldResolver(() => [ExecutionProviderName])
  executionProviders(@Root() endpoint: Endpoint): ExecutionProviderName[] {
    return endpoint.executionProviders as ExecutionProviderName[];
  }

  @FieldResolver(() => [WarmupDim])
  warmupDims(@Root() endpoint: Endpoint): WarmupDim[] {
    return Object.entries(endpoint.warmupDims ?? {}).map(([name, size]) => ({ name, size }));
  }

  @FieldResolver(() => EndpointStatus)
  status(@Root() endpoint: Endpoint, @Ctx() ctx: InferenceContext): EndpointStatus {
    return endpointStatus(endpoint, ctx.app.serving.versionStatuses(endpoint)).status;
  }

  @FieldResolver(() => Boolean, { description: 'True when every routed version is loaded and warm' })
  ready(@Root() endpoint: Endpoint, @Ctx() ctx: InferenceContext): boolean {
    return endpointStatus(endpoint, ctx.app.serving.versionStatuses(endpoint)).status === EndpointStatus.READY;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Why the endpoint is not ready' })
  statusReason(@Root() endpoint: Endpoint, @Ctx() ctx: InferenceContext): string | null {
    return endpointStatus(endpoint, ctx.app.serving.versionStatuses(endpoint)).reason;
  }

  @FieldResolver(() => [VersionReadiness])
  versions(@Root() endpoint: Endpoint, @Ctx() ctx: InferenceContext): VersionReadiness[] {
    return ctx.app.serving.versionStatuses(endpoint).map(toVersionReadiness);
  }

  @FieldResolver(() => [VersionMetrics], { description: 'Per-version metrics over the last windowSeconds (default 60)' })
  metrics(@Root() endpoint: Endpoint, @Arg('windowSeconds', () => Float, { nullable: true }) windowSeconds: number | undefined, @Ctx() ctx: InferenceContext): VersionMetrics[] {
    return ctx.app.serving.metricsOf(endpoint.id).snapshot((windowSeconds ?? 60) * 1000).map(toVersionMetrics);
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
      const endpoint = await ctx.app.endpoints.find(ctx.em, requireViewer(ctx.viewer), args.endpoint as string);
      const every = Math.max(100, (args.intervalMs as number | undefined) ?? 1000);
      const windowMs = ((args.windowSeconds as number | undefined) ?? 60) * 1000;
      return intervalIterable(every, () => ({
        endpointId: endpoint.id,
        at: new Date(),
        versions: ctx.app.serving.metricsOf(endpoint.id).snapshot(windowMs).map(toVersionMetrics),
      }));
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
