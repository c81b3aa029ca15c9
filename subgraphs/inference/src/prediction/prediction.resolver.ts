import { randomUUID } from 'node:crypto';
import { Arg, Ctx, Float, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { BadUserInputError, requireViewer } from '../../../../lib/src/index';
import { withApiErrors } from '../common/runtime-error.mapper';
import type { InferenceContext } from '../context';
import { encodeTensor } from '../runtime/tensor.codec';
import { PREDICTION_TOPIC, type PredictionEventPayload } from '../serving/serving.registry';
import { VersionComparison } from './comparison.types';
import { Prediction, PredictInput, PredictionEvent, type Tensor, type TensorDatatype } from './prediction.types';
import { compareVersions } from './version-comparison';

@Resolver()
export class PredictionResolver {
  @Mutation(() => Prediction, { description: 'Runs the endpoint on input tensors; the routed version answers' })
  async predict(@Arg('input', () => PredictInput) input: PredictInput, @Ctx() ctx: InferenceContext): Promise<Prediction> {
    const viewer = requireViewer(ctx.viewer);
    const endpoint = await ctx.app.endpoints.findForPrediction(() => ctx.em, viewer, input.endpoint);
    const result = await withApiErrors(() => ctx.app.serving.predict(endpoint, input.inputs, input.routingKey, ctx.authorization));
    const wanted = input.parameters?.outputs;
    if (wanted) {
      const unknown = wanted.filter((n) => !result.outputs.some((o) => o.name === n));
      if (unknown.length) throw new BadUserInputError('Unknown outputs', unknown.map((n) => ({ field: 'parameters.outputs', message: `the model has no output "${n}"` })));
    }
    const raw = input.parameters?.rawOutputs === true;
    const prediction = { id: randomUUID(), endpointId: endpoint.id, modelVersion: { id: result.version }, latencyMs: result.latencyMs, createdAt: new Date() } as Prediction;
    // Encoded only when the operation selects `outputs` (a caller after the latency alone pays nothing).
    let outputs: Tensor[] | undefined;
    Object.defineProperty(prediction, 'outputs', {
      enumerable: true,
      get: () => (outputs ??= result.outputs.filter((o) => !wanted || wanted.includes(o.name)).map((o) => encodeTensor(o, raw) as Tensor)),
    });
    return prediction;
  }

  @Query(() => VersionComparison, { description: 'Compares the versions of an endpoint (A/B, canary, shadow) over the last windowSeconds' })
  async compareVersions(
    @Arg('endpoint', () => String) endpointIdOrName: string,
    @Arg('windowSeconds', () => Float, { nullable: true }) windowSeconds: number | undefined,
    @Ctx() ctx: InferenceContext,
  ): Promise<VersionComparison> {
    const endpoint = await ctx.app.endpoints.find(ctx.em, requireViewer(ctx.viewer), endpointIdOrName);
    const seconds = windowSeconds ?? 900;
    if (!(seconds > 0)) throw new BadUserInputError('Invalid window', [{ field: 'windowSeconds', message: 'must be positive' }]);
    const metrics = ctx.app.serving.metricsOf(endpoint.id);
    const versions = ctx.app.serving.versionsOf(endpoint);
    const rows = compareVersions(versions.map((v) => ({ version: v.id, ...metrics.of(v.id).window(seconds * 1000) })));
    return {
      endpointId: endpoint.id,
      windowSeconds: Math.min(seconds, ctx.app.config.metricsWindowMs / 1000),
      baseline: { id: versions[0].id },
      versions: rows.map((r, i) => ({
        modelVersion: { id: r.version },
        role: versions[i].role,
        weight: endpoint.routes.find((x) => x.modelVersionId === r.version)?.weight ?? null,
        requests: r.requests,
        errors: r.errors,
        errorRate: r.errorRate,
        latencyP50Ms: r.p50,
        latencyP95Ms: r.p95,
        latencyP99Ms: r.p99,
        latencyP50DeltaMs: r.p50DeltaMs,
        errorRateDelta: r.errorRateDelta,
        errorRatePValue: r.errorRatePValue,
        latencyPValue: r.latencyPValue,
      })),
    };
  }

  @Subscription(() => PredictionEvent, {
    description: "Every prediction made on an endpoint, by any client: version, latency and (with includeOutputs) outputs",
    subscribe: async ({ args, context }) => {
      const ctx = context as InferenceContext;
      const endpoint = await ctx.app.endpoints.find(ctx.em, requireViewer(ctx.viewer), args.endpoint as string);
      return ctx.app.pubSub.subscribe(PREDICTION_TOPIC, endpoint.id);
    },
  })
  predictionStream(
    @Root() event: PredictionEventPayload,
    @Arg('endpoint', () => String) _endpoint: string,
    @Arg('includeOutputs', () => Boolean, { nullable: true }) includeOutputs?: boolean,
  ): PredictionEvent {
    return {
      endpointId: event.endpointId,
      modelVersion: { id: event.modelVersionId },
      latencyMs: event.latencyMs,
      routingKey: event.routingKey,
      at: new Date(event.at),
      outputs: includeOutputs && event.outputs ? event.outputs.map((o) => ({ ...o, datatype: o.datatype as TensorDatatype })) : null,
      outputsOmitted: event.outputsOmitted,
    };
  }
}
