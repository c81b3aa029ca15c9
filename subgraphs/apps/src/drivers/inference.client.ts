import { callGraphQL } from '../../../../lib/src/index';

/** A route as inference takes it: a model version and its relative weight. */
export interface InferenceRoute {
  modelVersion: string;
  weight: number;
}

/** What apps reads back about one endpoint: status, per-version readiness and live metrics. */
export interface InferenceEndpointState {
  id: string;
  name: string;
  description: string | null;
  replicas: number;
  status: 'LOADING' | 'READY' | 'DEGRADED' | 'FAILED';
  routes: { modelVersion: { id: string }; weight: number }[];
  versions: { modelVersion: { id: string }; role: string; state: string; reason: string | null }[];
  metrics: {
    modelVersion: { id: string };
    windowRequests: number;
    windowErrors: number;
    latencyP95Ms: number | null;
    latencyMeanMs: number | null;
    throughput: number;
  }[];
}

// BEWARE: keep in sync with the inference subgraph's schema (Endpoint, CreateEndpointInput, UpdateEndpointInput).
const ENDPOINT_FIELDS = `id name description replicas status
  routes { modelVersion { id } weight }
  versions { modelVersion { id } role state reason }
  metrics { modelVersion { id } windowRequests windowErrors latencyP95Ms latencyMeanMs throughput }`;

/**
 * The inference service's GraphQL API as apps uses it. Every call carries the given Authorization
 * header: the caller's own during a request, a service token in background work.
 */
export class InferenceClient {
  constructor(private readonly graphqlUrl: string) {}

  async createEndpoint(
    authorization: string,
    input: { name: string; description: string; routes: InferenceRoute[]; replicas?: number },
  ): Promise<InferenceEndpointState> {
    const data = await callGraphQL<{ createEndpoint: InferenceEndpointState }>(
      this.graphqlUrl,
      `mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { ${ENDPOINT_FIELDS} } }`,
      { input },
      authorization,
      { service: 'inference' },
    );
    return data.createEndpoint;
  }

  async updateEndpoint(
    authorization: string,
    id: string,
    input: { routes?: InferenceRoute[]; replicas?: number },
  ): Promise<InferenceEndpointState> {
    const data = await callGraphQL<{ updateEndpoint: InferenceEndpointState }>(
      this.graphqlUrl,
      `mutation($id: ID!, $input: UpdateEndpointInput!) { updateEndpoint(id: $id, input: $input) { ${ENDPOINT_FIELDS} } }`,
      { id, input },
      authorization,
      { service: 'inference' },
    );
    return data.updateEndpoint;
  }

  async deleteEndpoint(authorization: string, id: string): Promise<void> {
    await callGraphQL(this.graphqlUrl, 'mutation($id: ID!) { deleteEndpoint(id: $id) }', { id }, authorization, {
      service: 'inference',
    });
  }

  /** The endpoint by id; inference answers NOT_FOUND (thrown) when it is gone. */
  async endpoint(authorization: string, id: string): Promise<InferenceEndpointState | null> {
    const data = await callGraphQL<{ endpoint: InferenceEndpointState | null }>(
      this.graphqlUrl,
      `query($id: String!) { endpoint(id: $id) { ${ENDPOINT_FIELDS} } }`,
      { id },
      authorization,
      { service: 'inference' },
    );
    return data.endpoint;
  }
}
