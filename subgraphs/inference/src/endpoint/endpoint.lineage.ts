import type { Logger, ServiceTokenSource } from '../../../../lib/src/index';
import { LINEAGE_NAMESPACES, lineageNames } from '../../../../lib/contracts/index';
import { LineageReporter } from '../../../../lib/src/index';
import type { Endpoint } from './endpoint.entity';

const PRODUCER = 'https://github.com/aic-platform/aic-ai-platform/tree/main/subgraphs/inference';
/** Run facet of a deployment: the traffic split it put in place. */
const TRAFFIC_FACET_URL = `${PRODUCER}/facets/traffic-split.json`;

/** What an endpoint serves, as lineage (namespace `aic://inference`). */
export function endpointNode(endpointId: string): { namespace: string; name: string } {
  return { namespace: LINEAGE_NAMESPACES.inference, name: lineageNames.endpoint(endpointId) };
}

/**
 * Reports each deployment of model versions to an endpoint (created, routes or weights changed,
 * versions added or removed, shadow changed) as a run of `deploy/<endpoint name>` in
 * `aic://inference`: the served versions (`aic://models` / `model-versions/<id>`) in, the endpoint
 * (`endpoints/<id>`) out. Delivery is in the background (lib's LineageReporter): a deploy never
 * waits for the catalog nor fails because of it; undelivered events are retried and then logged whole.
 */
export class EndpointLineage {
  private readonly reporter: LineageReporter;

  constructor(catalogUrl: string, tokens: ServiceTokenSource, logger: Logger, retryDelaysMs?: readonly number[]) {
    this.reporter = LineageReporter.forService({ catalogUrl, producer: PRODUCER, tokens, logger, retryDelaysMs });
  }

  /** Starts reporting the endpoint's current routes; never throws. @returns whether the catalog took it */
  deployed(endpoint: Endpoint): Promise<boolean> {
    const versions = [
      ...endpoint.routes.map((r) => r.modelVersionId),
      ...(endpoint.shadowModelVersionId ? [endpoint.shadowModelVersionId] : []),
    ];
    return this.reporter.report(endpoint.organizationId, {
      job: { namespace: LINEAGE_NAMESPACES.inference, name: lineageNames.endpointDeployJob(endpoint.name) },
      inputs: [...new Set(versions)].map((id) => ({
        namespace: LINEAGE_NAMESPACES.models,
        name: lineageNames.modelVersion(id),
      })),
      outputs: [endpointNode(endpoint.id)],
      facets: {
        trafficSplit: {
          _producer: PRODUCER,
          _schemaURL: TRAFFIC_FACET_URL,
          routes: endpoint.routes.map((r) => ({ modelVersionId: r.modelVersionId, weight: r.weight })),
          shadowModelVersionId: endpoint.shadowModelVersionId ?? null,
        },
      },
    });
  }

  /** Resolves when every report started so far is delivered or given up. */
  settled(): Promise<void> {
    return this.reporter.settled();
  }

  /** Stops retrying; undelivered events are logged whole. */
  close(): void {
    this.reporter.close();
  }
}

/** Whether a change of an endpoint changes what it serves (so it is a deployment to report). */
export function servesOtherwise(
  before: Pick<Endpoint, 'name' | 'routes' | 'shadowModelVersionId'>,
  after: Pick<Endpoint, 'name' | 'routes' | 'shadowModelVersionId'>,
): boolean {
  const split = (e: typeof before) =>
    JSON.stringify([e.name, e.routes.map((r) => [r.modelVersionId, r.weight]), e.shadowModelVersionId ?? null]);
  return split(before) !== split(after);
}
