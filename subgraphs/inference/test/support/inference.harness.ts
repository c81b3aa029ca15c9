import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningService } from '../../../../lib/src/testing/harness';
import { gql, startService, testBaseConfig } from '../../../../lib/src/testing/harness';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../../lib/src/testing/test-issuer';
import type { Config } from '../../src/config';
import { createServer } from '../../src/server';
import { startPlatformStandIn } from './platform.stand-in';

export const ALL_INFERENCE = ['inference:read', 'inference:invoke', 'inference:manage'];

/** The settings of an inference instance in tests, served by the given issuer and models/catalog stand-in. */
export function inferenceTestConfig(
  issuer: TestIssuer,
  platformUrl: string,
  dataDir: string,
  overrides: Partial<Config> = {},
): Config {
  return {
    ...testBaseConfig('inference', {
      dataDir,
      auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
      identityUrl: issuer.url,
      serviceSecret: issuer.serviceSecret,
    }),
    bodyLimitBytes: 32 * 1024 * 1024,
    modelsUrl: platformUrl,
    catalogUrl: platformUrl,
    executionProviders: ['cpu'],
    pod: { endpointId: null, modelVersionIds: [], configVersion: null },
    sessionBudgetBytes: 256 * 1024 * 1024,
    ownThreadRunMs: 2,
    metricsWindowMs: 15 * 60 * 1000,
    streamOutputLimit: 4096,
    batchJobConcurrency: 1,
    maxArtifactBytes: 64 * 1024 * 1024,
    ...overrides,
  };
}

/** The inference service on port 0 with a real token issuer and the models/catalog contract routes. */
export async function startInferenceHarness(
  overrides: Partial<Config> = {},
  dataDir?: string,
  /** Another test's issuer (e.g. a real catalog's), left open at close; a new one by default. */
  sharedIssuer?: TestIssuer,
) {
  const issuer: TestIssuer = sharedIssuer ?? (await startTestIssuer());
  const platform = await startPlatformStandIn(issuer);
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'aic-inference-'));
  const config = inferenceTestConfig(issuer, platform.url, dir, overrides);
  const built = await createServer(config);
  const service: RunningService = await startService('inference', built.server);
  const org = `org-${path.basename(dir)}`;
  return {
    issuer,
    platform,
    service,
    built,
    config,
    org,
    dataDir: dir,
    token: (perms: string[], organization = org) => issuer.issue({ org: organization, perms }),
    gql: (query: string, variables: Record<string, unknown>, token?: string) =>
      gql(service.graphqlUrl, query, variables, token),
    async close(keepData = false) {
      await service.stop();
      await platform.close();
      if (!sharedIssuer) await issuer.close();
      if (!keepData) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type InferenceHarness = Awaited<ReturnType<typeof startInferenceHarness>>;

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const STATUS_QUERY =
  'query($id: String!) { endpoint(id: $id) { id status ready statusReason versions { modelVersion { id } state reason provider providerNote } } }';

/** Waits until an endpoint's status is no longer LOADING; @returns the endpoint's status fields */
export async function settledEndpoint(h: InferenceHarness, id: string, token: string): Promise<any> {
  return waitFor(
    async () => {
      const res = await h.gql(STATUS_QUERY, { id }, token);
      const e = res.data?.endpoint;
      return e && e.status !== 'LOADING' ? e : undefined;
    },
    20_000,
    `endpoint ${id} to settle`,
  );
}
