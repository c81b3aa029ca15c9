import { randomUUID } from 'node:crypto';
import type { PubSub } from '../../../../lib/src/index';
import { BadUserInputError } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import { withApiErrors } from '../common/runtime-error.mapper';
import type { EndpointService } from '../endpoint/endpoint.service';
import { encodeTensor } from '../runtime/tensor.codec';
import { PREDICTION_TOPIC, type ServingRegistry } from '../serving/serving.registry';
import type { VersionComparison } from './comparison.types';
import type { Prediction, PredictInput, Tensor } from './prediction.types';
import { compareVersions } from './version-comparison';

/** Predictions through endpoints, their live stream and the comparison of an endpoint's versions. Built once per process. */
export class PredictionService {
  constructor(
    private readonly endpoints: EndpointService,
    private readonly serving: ServingRegistry,
    private readonly pubSub: PubSub,
    /** How far back version metrics reach (config.metricsWindowMs). */
    private readonly metricsWindowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Runs the endpoint on input tensors; the routed version answers. Outputs are encoded only when read. */
  async predict(scope: RequestScope, input: PredictInput, authorization?: string): Promise<Prediction> {
    const endpoint = await this.endpoints.forPrediction(scope, input.endpoint);
    const result = await withApiErrors(() =>
      this.serving.predict(endpoint, input.inputs, input.routingKey, authorization, input.modelVersion ?? undefined),
    );
    const wanted = input.parameters?.outputs;
    if (wanted) {
      const unknown = wanted.filter((n) => !result.outputs.some((o) => o.name === n));
      if (unknown.length)
        throw new BadUserInputError(
          'Unknown outputs',
          unknown.map((n) => ({ field: 'parameters.outputs', message: `the model has no output "${n}"` })),
        );
    }
    const raw = input.parameters?.rawOutputs === true;
    const prediction = {
      id: randomUUID(),
      endpointId: endpoint.id,
      modelVersion: { id: result.version },
      latencyMs: result.latencyMs,
      createdAt: this.clock(),
    } as Prediction;
    // Encoded only when the operation selects `outputs` (a caller after the latency alone pays nothing).
    let outputs: Tensor[] | undefined;
    Object.defineProperty(prediction, 'outputs', {
      enumerable: true,
      get: () =>
        (outputs ??= result.outputs
          .filter((o) => !wanted || wanted.includes(o.name))
          .map((o) => encodeTensor(o, raw) as Tensor)),
    });
    return prediction;
  }

  /** Compares the versions of an endpoint (A/B, canary, shadow) over the last `windowSeconds` (default 900). */
  async compare(
    scope: RequestScope,
    endpointIdOrName: string,
    windowSeconds?: number | null,
  ): Promise<VersionComparison> {
    const endpoint = await this.endpoints.get(scope, endpointIdOrName);
    const seconds = windowSeconds ?? 900;
    if (!(seconds > 0))
      throw new BadUserInputError('Invalid window', [{ field: 'windowSeconds', message: 'must be positive' }]);
    const metrics = this.serving.metricsOf(endpoint.id);
    const versions = this.serving.versionsOf(endpoint);
    const rows = compareVersions(versions.map((v) => ({ version: v.id, ...metrics.of(v.id).window(seconds * 1000) })));
    return {
      endpointId: endpoint.id,
      windowSeconds: Math.min(seconds, this.metricsWindowMs / 1000),
      baseline: { id: versions[0]!.id },
      versions: rows.map((r, i) => ({
        modelVersion: { id: r.version },
        role: versions[i]!.role,
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

  /** Every prediction made on an endpoint of the viewer's organization, as it happens. */
  async stream(scope: RequestScope, endpointIdOrName: string): Promise<AsyncIterable<unknown>> {
    const endpoint = await this.endpoints.get(scope, endpointIdOrName);
    return this.pubSub.subscribe(PREDICTION_TOPIC, endpoint.id);
  }
}
