import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { RunningService } from '../../../lib/src/testing/harness';
import { gql, startService, testBaseConfig } from '../../../lib/src/testing/harness';
import type { TestIssuer, TestTokenClaims } from '../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../lib/src/testing/test-issuer';
import type { Config as CatalogConfig } from '../../catalog/src/config';
import type { CatalogServer } from '../../catalog/src/server';
import { loadConfig as loadCatalogConfig } from '../../catalog/src/config';
import { createServer as createCatalog } from '../../catalog/src/server';
import { loadConfig as loadSchemasConfig } from '../../schemas/src/config';
import { createServer as createSchemas } from '../../schemas/src/server';
import type { Config } from '../src/config';
import type { SyntheticServer } from '../src/server';
import { createServer } from '../src/server';

export const RUNNER = ['synthetic:run', 'synthetic:read', 'catalog:read', 'catalog:write'];

/** A real catalog and a real synthetic service sharing one real token issuer. */
export interface SyntheticHarness {
  issuer: TestIssuer;
  catalog: RunningService;
  schemas: RunningService;
  synthetic: RunningService;
  built: SyntheticServer;
  config: Config;
  /** The catalog the jobs read from and register their output in. */
  catalogBuilt: CatalogServer;
  token(claims: TestTokenClaims): Promise<string>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): ReturnType<typeof gql<T>>;
  /** Runs `start` (which returns a job id), then collects that job's subscription events until it is terminal. */
  followNext(token: string, start: () => Promise<string>): Promise<any[]>;
  stop(): Promise<void>;
}

/**
 * Starts catalog and synthetic on port 0 over SQLite `:memory:` (or the given database URL);
 * `overrides` change synthetic's settings, `kit` how it boots (`consume: false`: an API-only replica).
 */
export async function startSynthetic(
  databaseUrl?: string,
  overrides: Partial<Config> = {},
  kit: { consume?: boolean } = {},
): Promise<SyntheticHarness> {
  const issuer = await startTestIssuer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-synthetic-'));
  const auth = { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience };
  // Catalog's own defaults first, so settings it adds later keep working here.
  const catalogConfig: CatalogConfig = {
    ...loadCatalogConfig({}),
    ...testBaseConfig('catalog', { dataDir, auth, serviceSecret: issuer.serviceSecret }),
    maxContentBytes: 20 * 1024 * 1024,
    retentionIntervalSeconds: 0,
    maxPreviewRows: 100,
  };
  const catalogBuilt = await createCatalog(catalogConfig);
  const catalog = await startService('catalog', catalogBuilt.server);
  const schemas = await startService(
    'schemas',
    (
      await createSchemas({
        ...loadSchemasConfig({}),
        ...testBaseConfig('schemas', { dataDir, auth, serviceSecret: issuer.serviceSecret }),
      })
    ).server,
  );
  const config: Config = {
    ...testBaseConfig('synthetic', {
      dataDir,
      auth,
      serviceSecret: issuer.serviceSecret,
      identityUrl: issuer.url,
      ...(databaseUrl ? { databaseUrl } : {}),
    }),
    catalogUrl: catalog.url,
    schemasUrl: schemas.url,
    workerConcurrency: 2,
    maxRows: 500_000,
    ...overrides,
  };
  const built = await createServer(config, { kit });
  const synthetic = await startService('synthetic', built.server);
  return {
    issuer,
    catalog,
    schemas,
    synthetic,
    built,
    config,
    catalogBuilt,
    token: (claims) => issuer.issue({ sub: randomUUID(), ...claims }),
    gql: (query, variables = {}, token) => gql(synthetic.graphqlUrl, query, variables, token),
    async followNext(token, start) {
      const jobId = await start();
      const client = createClient({
        url: synthetic.graphqlUrl.replace('http', 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
      });
      const events: any[] = [];
      const done = new Promise<void>((resolve, reject) => {
        const unsubscribe = client.subscribe(
          {
            query: 'subscription($id: ID!) { syntheticDataJobUpdated(id: $id) { id status progress stage error } }',
            variables: { id: jobId },
          },
          {
            next: (value) => {
              if (value.errors) return reject(new Error(JSON.stringify(value.errors)));
              const event = (value.data as any).syntheticDataJobUpdated;
              events.push(event);
              if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(event.status)) {
                unsubscribe();
                resolve();
              }
            },
            error: reject,
            complete: () => resolve(),
          },
        );
      });
      await done;
      await client.dispose();
      return events;
    },
    async stop() {
      await synthetic.stop();
      await catalog.stop();
      await schemas.stop();
      await issuer.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Registers a dataset in the catalog through its internal route, as the token's user. */
export async function registerDataset(
  h: SyntheticHarness,
  token: string,
  body: Record<string, unknown>,
): Promise<string> {
  const res = await fetch(`${h.catalog.url}/internal/datasets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Polls a job until it is terminal. */
export async function waitForJob(h: SyntheticHarness, id: string, token: string): Promise<any> {
  for (let i = 0; i < 600; i++) {
    const res = await h.gql(
      'query($id: ID!) { syntheticDataJob(id: $id) { id status error attempts output { id } } }',
      { id },
      token,
    );
    const job = res.data?.syntheticDataJob;
    if (job && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not finish`);
}
