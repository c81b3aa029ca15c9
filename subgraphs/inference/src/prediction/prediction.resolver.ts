import { Arg, Ctx, Float, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { InferenceContext } from '../context';
import type { PredictionEventPayload } from '../serving/serving.registry';
import { VersionComparison } from './comparison.types';
import { Prediction, PredictInput, PredictionEvent, type TensorDatatype } from './prediction.types';

@Resolver()
export class PredictionResolver {
  @Mutation(() => Prediction, { description: 'Runs the endpoint on input tensors; the routed version answers' })
  predict(@Arg('input', () => PredictInput) input: PredictInput, @Ctx() ctx: InferenceContext): Promise<Prediction> {
    return ctx.services.predictions.predict(requestScope(ctx), input, ctx.authorization);
  }

  @Query(() => VersionComparison, {
    nullable: true,
    description: 'Compares the versions of an endpoint (A/B, canary, shadow) over the last windowSeconds',
  })
  compareVersions(
    @Arg('endpoint', () => String) endpointIdOrName: string,
    @Arg('windowSeconds', () => Float, { nullable: true }) windowSeconds: number | undefined,
    @Ctx() ctx: InferenceContext,
  ): Promise<VersionComparison> {
    return ctx.services.predictions.compare(requestScope(ctx), endpointIdOrName, windowSeconds);
  }

  @Subscription(() => PredictionEvent, {
    description:
      'Every prediction made on an endpoint, by any client: version, latency and (with includeOutputs) outputs',
    subscribe: async ({ args, context }) => {
      const ctx = context as InferenceContext;
      return ctx.services.predictions.stream(requestScope(ctx), args.endpoint as string);
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
      outputs:
        includeOutputs && event.outputs
          ? event.outputs.map((o) => ({ ...o, datatype: o.datatype as TensorDatatype }))
          : null,
      outputsOmitted: event.outputsOmitted,
    };
  }
}
