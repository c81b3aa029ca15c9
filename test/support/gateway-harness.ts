import { createGateway } from '../../gateway/src/server';
import { loadGatewayConfig } from '../../gateway/src/config';
import type { GatewayConfig } from '../../gateway/src/config';
import type { SdlFetchOptions } from '../../lib/src/compose';
import { createLogger } from '../../lib/src/logger';
import type { RunningService } from '../../lib/src/testing/harness';
import { composeRunning } from '../../lib/src/testing/harness';

export interface RunningGateway {
  url: string;
  graphqlUrl: string;
  supergraphSdl: string;
  stop(): Promise<void>;
}

/**
 * Composes the running services in-process (asking their SDL with `sdl`, e.g. the service secret of
 * production services) and starts the real gateway over them on port 0.
 * @returns the gateway's URLs and the supergraph it serves
 */
export async function startGatewayOver(
  services: RunningService[],
  overrides: Partial<GatewayConfig> = {},
  sdl: SdlFetchOptions = {},
): Promise<RunningGateway> {
  const supergraphSdl = await composeRunning(services, sdl);
  const config = { ...loadGatewayConfig({}), port: 0, host: '127.0.0.1', ...overrides };
  const gateway = await createGateway(config, { supergraphSdl, logger: createLogger('gateway', 'silent') });
  const url = await gateway.listen(0, '127.0.0.1');
  return { url, graphqlUrl: `${url}/graphql`, supergraphSdl, stop: () => gateway.stop() };
}
