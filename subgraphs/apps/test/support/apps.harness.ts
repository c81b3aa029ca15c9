import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningService } from '../../../../lib/src/testing/harness';
import { gql, startService, testBaseConfig } from '../../../../lib/src/testing/harness';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import type { Config } from '../../src/config';
import { createServer } from '../../src/server';
import type { AppsDeps } from '../../src/server';

export const ALL_APPS = ['apps:read', 'apps:deploy', 'apps:manage'];

/** The apps service on port 0 (SQLite in memory) with auth from the given issuer. */
export async function startApps(issuer: TestIssuer, overrides: Partial<Config> = {}, deps: Partial<AppsDeps> = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-apps-'));
  const config: Config = {
    ...testBaseConfig('apps', {
      dataDir,
      auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
      identityUrl: issuer.url,
      serviceSecret: issuer.serviceSecret,
    }),
    inferenceUrl: 'http://127.0.0.1:9',
    schemasUrl: 'http://127.0.0.1:9',
    catalogUrl: 'http://127.0.0.1:9',
    monitorIntervalSeconds: 0,
    rolloutWaitSeconds: 60,
    kubernetes: { namespace: 'aic-apps-test', inferenceImage: 'ghcr.io/aic-platform/inference:test' },
    ...overrides,
  };
  const built = await createServer(config, deps);
  const service: RunningService = await startService('apps', built.server);
  return {
    built,
    service,
    config,
    gql: (query: string, variables: Record<string, unknown> = {}, token?: string) =>
      gql(service.graphqlUrl, query, variables, token),
    async close() {
      await service.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type AppsHarness = Awaited<ReturnType<typeof startApps>>;
