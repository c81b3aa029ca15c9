import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningService } from '../../../../lib/src/testing/harness';
import { gql, startService } from '../../../../lib/src/testing/harness';
import { loadConfig, type Config } from '../../src/config';
import { createServer, type IdentityServer } from '../../src/server';
import { SERVICE_SECRET } from './test-settings';

export const ADMIN_EMAIL = 'owner@example.com';
export const ADMIN_PASSWORD = 'owner password 123';

/** A running identity service on port 0 with its first-run owner. */
export interface TestIdentity extends RunningService {
  identity: IdentityServer;
  config: Config;
  /** Signs in through GraphQL; @returns the AuthPayload. */
  login(
    email?: string,
    password?: string,
    organizationId?: string,
  ): Promise<{ accessToken: string; refreshToken: string; user: { id: string }; organization: { id: string } }>;
}

/** Starts identity on port 0 (SQLite in memory unless `databaseUrl`), with `adjust` applied to its config. */
export async function startIdentity(
  options: {
    databaseUrl?: string;
    dataDir?: string;
    env?: Record<string, string>;
    adjust?: (config: Config) => void;
  } = {},
): Promise<TestIdentity> {
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'aic-identity-'));
  const config = loadConfig({
    AIC_DATA_DIR: dataDir,
    DATABASE_URL: options.databaseUrl ?? (ownDir ? ':memory:' : ''),
    LOG_LEVEL: 'silent',
    AIC_ADMIN_EMAIL: ADMIN_EMAIL,
    AIC_ADMIN_PASSWORD: ADMIN_PASSWORD,
    AIC_SERVICE_SECRET: SERVICE_SECRET,
    ...options.env,
  });
  config.port = 0;
  config.host = '127.0.0.1';
  options.adjust?.(config);
  const identity = await createServer(config);
  const running = await startService('identity', identity.server);
  return {
    ...running,
    identity,
    config,
    stop: async () => {
      await running.stop();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
    async login(email = ADMIN_EMAIL, password = ADMIN_PASSWORD, organizationId?: string) {
      const res = await gql(
        running.graphqlUrl,
        'mutation($e: String!, $p: String!, $o: ID) { login(email: $e, password: $p, organizationId: $o) { accessToken refreshToken user { id } organization { id } } }',
        { e: email, p: password, o: organizationId ?? null },
      );
      if (!res.data?.login) throw new Error(`login failed: ${JSON.stringify(res.errors)}`);
      return res.data.login;
    },
  };
}
