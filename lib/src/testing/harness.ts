import type { BaseServiceConfig } from '../env';
import { loadBaseConfig } from '../env';
import type { SdlFetchOptions } from '../compose';
import { composeSupergraph, fetchSubgraphSdl } from '../compose';
import type { ServiceServer } from '../server';

/** A started service in a test: its base URL and GraphQL URL. */
export interface RunningService {
  name: string;
  url: string;
  graphqlUrl: string;
  stop(): Promise<void>;
}

/**
 * A BaseServiceConfig for tests: port 0, loopback, `:memory:` SQLite unless `databaseUrl` is given,
 * a fresh data folder, auth pointed at the given issuer. Revocations are not followed unless
 * `auth.revocations` is given (there is no identity at the default URL in a test).
 */
export function testBaseConfig(
  serviceName: string,
  overrides: Partial<BaseServiceConfig> & { dataDir: string },
): BaseServiceConfig {
  const base = loadBaseConfig({}, serviceName, 0);
  return {
    ...base,
    auth: { ...base.auth, revocations: undefined },
    port: 0,
    host: '127.0.0.1',
    databaseUrl: ':memory:',
    logLevel: 'silent',
    ...overrides,
  };
}

/** Starts a built (not yet listening) service on port 0. */
export async function startService(name: string, server: ServiceServer): Promise<RunningService> {
  const url = await server.listen(0, '127.0.0.1');
  return { name, url, graphqlUrl: `${url}/graphql`, stop: () => server.stop() };
}

/**
 * Composes running services in-process from their `_service { sdl }` answers (asked with the service
 * secret when given: production services answer only then).
 * @returns the supergraph SDL, routing to the services' test URLs
 */
export async function composeRunning(services: RunningService[], opts: SdlFetchOptions = {}): Promise<string> {
  const sources = await Promise.all(
    services.map(async (s) => ({ name: s.name, url: s.graphqlUrl, sdl: await fetchSubgraphSdl(s.graphqlUrl, opts) })),
  );
  return composeSupergraph(sources);
}

/** POSTs a GraphQL operation; @returns the parsed body `{ data, errors }` and the HTTP status */
export async function gql<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; data?: T; errors?: any[]; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as any;
  return { status: res.status, data: body.data, errors: body.errors, body };
}
