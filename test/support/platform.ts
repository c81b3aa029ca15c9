// The whole platform in this process, as `npm start` runs it in eight: the seven subgraphs on port 0
// in dependency order (each told where the ones it calls are), the gateway composed over them, and
// the first-run owner signed in. Tests that attack or use the platform from outside start it here.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GatewayConfig } from '../../gateway/src/config';
import type { SubgraphName } from '../../lib/contracts/services';
import { SUBGRAPH_NAMES, peersOf, urlEnvOf } from '../../lib/contracts/services';
import type { ServiceServer } from '../../lib/src/index';
import type { RunningGateway } from './gateway-harness';
import { startGatewayOver } from './gateway-harness';
import type { RunningService } from '../../lib/src/testing/harness';
import { gql, startService } from '../../lib/src/testing/harness';
import * as apps from '../../subgraphs/apps/src/config';
import { createServer as createApps } from '../../subgraphs/apps/src/server';
import * as catalog from '../../subgraphs/catalog/src/config';
import { createServer as createCatalog } from '../../subgraphs/catalog/src/server';
import * as identity from '../../subgraphs/identity/src/config';
import { createServer as createIdentity } from '../../subgraphs/identity/src/server';
import * as inference from '../../subgraphs/inference/src/config';
import { createServer as createInference } from '../../subgraphs/inference/src/server';
import * as models from '../../subgraphs/models/src/config';
import { createServer as createModels } from '../../subgraphs/models/src/server';
import * as schemas from '../../subgraphs/schemas/src/config';
import { createServer as createSchemas } from '../../subgraphs/schemas/src/server';
import * as synthetic from '../../subgraphs/synthetic/src/config';
import { createServer as createSynthetic } from '../../subgraphs/synthetic/src/server';

export type { SubgraphName };

type Starter = (env: Record<string, string>) => Promise<ServiceServer>;
const host = { port: 0, host: '127.0.0.1' };
/** How to build each subgraph from an environment. */
const STARTERS: Record<SubgraphName, Starter> = {
  identity: async (env) => (await createIdentity({ ...identity.loadConfig(env), ...host })).server,
  schemas: async (env) => (await createSchemas({ ...schemas.loadConfig(env), ...host })).server,
  catalog: async (env) => (await createCatalog({ ...catalog.loadConfig(env), ...host })).server,
  models: async (env) => (await createModels({ ...models.loadConfig(env), ...host })).server,
  inference: async (env) => (await createInference({ ...inference.loadConfig(env), ...host })).server,
  synthetic: async (env) => (await createSynthetic({ ...synthetic.loadConfig(env), ...host })).server,
  apps: async (env) => (await createApps({ ...apps.loadConfig(env), ...host })).server,
};
/** Each subgraph in start order, the peers whose URLs it needs (lib/contracts' service map) and its starter. */
const SUBGRAPHS = SUBGRAPH_NAMES.map((name) => ({
  name,
  needs: peersOf(name).filter((n) => n !== 'identity'),
  start: STARTERS[name],
}));

export interface PlatformOptions {
  /** NODE_ENV=production for every service and the gateway. @default false */
  production?: boolean;
  /** Only these subgraphs (identity is always started). @default all seven */
  only?: SubgraphName[];
  /** Extra environment for every service (e.g. `REDIS_URL`). */
  env?: Record<string, string>;
  /** Gateway settings over the test defaults. */
  gateway?: Partial<GatewayConfig>;
}

export interface Platform {
  gateway: RunningGateway;
  services: Record<string, RunningService>;
  /** The first-run owner's credentials and a fresh access token. */
  owner: { email: string; password: string; token: string };
  /** The shared service secret every service was given. */
  serviceSecret: string;
  dataDir: string;
  /** POSTs an operation to the gateway. */
  call<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; data?: T; errors?: any[]; body: any }>;
  stop(): Promise<void>;
}

/**
 * Starts the platform in-process on port 0 (SQLite in memory, a fresh data folder).
 * @returns the running gateway and services, the signed-in owner and a stop function
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-platform-'));
  const owner = { email: 'owner@example.com', password: 'a strong first password' };
  const serviceSecret = `platform-test-secret-${Math.random().toString(36).slice(2)}`;
  // Identity refuses to boot in production without it (it encrypts its private signing keys at rest).
  const keyEncryptionKey = randomBytes(32).toString('base64');
  const wanted = new Set<SubgraphName>(['identity', ...(options.only ?? SUBGRAPHS.map((s) => s.name))]);
  const services: Record<string, RunningService> = {};
  const stopAll = async () => {
    for (const s of Object.values(services).reverse()) await s.stop().catch(() => undefined);
  };
  try {
    for (const sg of SUBGRAPHS) {
      if (!wanted.has(sg.name)) continue;
      const env: Record<string, string> = {
        AIC_DATA_DIR: path.join(dataDir, sg.name),
        DATABASE_URL: ':memory:',
        LOG_LEVEL: 'silent',
        NODE_ENV: options.production ? 'production' : 'test',
        AIC_SERVICE_SECRET: serviceSecret,
        ...(sg.name === 'identity' ? { AIC_KEY_ENCRYPTION_KEY: keyEncryptionKey } : {}),
        AIC_ADMIN_EMAIL: owner.email,
        AIC_ADMIN_PASSWORD: owner.password,
        ...(services.identity ? { [urlEnvOf('identity')]: services.identity.url } : {}),
        ...Object.fromEntries(sg.needs.filter((n) => services[n]).map((n) => [urlEnvOf(n), services[n]!.url])),
        ...options.env,
      };
      services[sg.name] = await startService(sg.name, await sg.start(env));
    }
    const identityUrl = services.identity!.url;
    const gateway = await startGatewayOver(
      Object.values(services),
      {
        production: !!options.production,
        auth: {
          jwksUrl: `${identityUrl}/.well-known/jwks.json`,
          issuer: 'aic-identity',
          audience: 'aic-platform',
          // As the services do: identity's stream, or the Redis channel when the test gives REDIS_URL.
          revocations: {
            identityUrl,
            redisUrl: options.env?.REDIS_URL,
            channel: options.env?.AIC_REVOCATION_CHANNEL ?? 'aic:revocations',
          },
        },
        ...options.gateway,
      },
      { serviceSecret },
    );
    const call: Platform['call'] = (query, variables = {}, token, headers = {}) =>
      gql(gateway.graphqlUrl, query, variables, token, headers);
    const login = await call('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', {
      e: owner.email,
      p: owner.password,
    });
    if (!login.data?.login) throw new Error(`owner could not sign in: ${JSON.stringify(login.errors)}`);
    return {
      gateway,
      services,
      owner: { ...owner, token: login.data.login.accessToken },
      serviceSecret,
      dataDir,
      call,
      async stop() {
        await gateway.stop();
        await stopAll();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
