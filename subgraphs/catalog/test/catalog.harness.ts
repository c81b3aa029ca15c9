import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { RunningService } from '../../../lib/src/testing/harness';
import { gql, startService, testBaseConfig } from '../../../lib/src/testing/harness';
import type { TestIssuer, TestTokenClaims } from '../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../lib/src/testing/test-issuer';
import type { Config } from '../src/config';
import type { CatalogServer } from '../src/server';
import { createServer } from '../src/server';

export const ALL_CATALOG = ['catalog:read', 'catalog:write', 'catalog:read-pii', 'catalog:manage', 'audit:read'];
export const READER = ['catalog:read'];
export const WRITER = ['catalog:read', 'catalog:write'];

export interface CatalogHarness {
  issuer: TestIssuer;
  service: RunningService;
  built: CatalogServer;
  config: Config;
  /** A token for a fresh user (`sub`) in `org` with `perms`. */
  token(claims: TestTokenClaims): Promise<string>;
  /** POSTs to the catalog's /graphql. */
  gql<T = any>(query: string, variables: Record<string, unknown>, token?: string): ReturnType<typeof gql<T>>;
  stop(): Promise<void>;
}

/** Starts a real catalog on port 0 over SQLite :memory: (or `databaseUrl`), with a real token issuer. */
export async function startCatalog(overrides: Partial<Config> = {}): Promise<CatalogHarness> {
  const issuer = await startTestIssuer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-catalog-'));
  const base = testBaseConfig('catalog', {
    dataDir,
    auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
    serviceSecret: issuer.serviceSecret,
  });
  const config: Config = {
    ...base,
    maxContentBytes: 5 * 1024 * 1024,
    retentionIntervalSeconds: 0,
    maxPreviewRows: 100,
    profilingConcurrency: 2,
    openLineageStrict: false,
    ...overrides,
  };
  const built = await createServer(config);
  const service = await startService('catalog', built.server);
  return {
    issuer,
    service,
    built,
    config,
    token: (claims) => issuer.issue({ sub: randomUUID(), ...claims }),
    gql: (query, variables, token) => gql(service.graphqlUrl, query, variables, token),
    async stop() {
      await service.stop();
      await issuer.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a dataset and uploads `content` as its first version through the upload mechanism. */
export async function createWithContent(
  h: CatalogHarness,
  token: string,
  input: Record<string, unknown>,
  content: string,
): Promise<{ id: string; version: any }> {
  const created = await h.gql(
    'mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }',
    { i: input },
    token,
  );
  if (created.errors) throw new Error(JSON.stringify(created.errors));
  const id = created.data.createDataset.id as string;
  const version = await uploadVersion(
    h,
    token,
    id,
    content,
    input.format === 'CSV' ? 'text/csv' : 'application/x-ndjson',
  );
  return { id, version };
}

/** createDatasetUpload -> PUT bytes -> addDatasetVersion. */
export async function uploadVersion(
  h: CatalogHarness,
  token: string,
  datasetId: string,
  content: string,
  contentType: string,
): Promise<any> {
  const ticket = await h.gql(
    'mutation($i: CreateDatasetUploadInput!) { createDatasetUpload(input: $i) { id url token maxBytes } }',
    { i: { purpose: 'DATASET_CONTENT', filename: 'data', contentType } },
    token,
  );
  if (ticket.errors) throw new Error(JSON.stringify(ticket.errors));
  const { id, token: uploadToken } = ticket.data.createDatasetUpload;
  const put = await fetch(`${h.service.url}/uploads/${id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${uploadToken}`, 'content-type': contentType },
    body: content,
  });
  if (put.status !== 201) throw new Error(`upload failed: ${put.status} ${await put.text()}`);
  const added = await h.gql(
    'mutation($d: ID!, $u: ID!) { addDatasetVersion(datasetId: $d, uploadId: $u) { id version status } }',
    { d: datasetId, u: id },
    token,
  );
  if (added.errors) throw new Error(JSON.stringify(added.errors));
  return waitForVersion(h, token, datasetId, added.data.addDatasetVersion.version);
}

const VERSION_FIELDS =
  'id version status error rowCount sha256 size columnProfiles { name type nullCount nullFraction distinctCount min max mean stddev topValues { value count } histogram { count } }';

/** Polls until a version leaves PROFILING; @returns it when READY, throws with its error when FAILED. */
export async function waitForVersion(
  h: CatalogHarness,
  token: string,
  datasetId: string,
  version: number,
): Promise<any> {
  for (let i = 0; i < 200; i += 1) {
    const res = await h.gql(
      `query($id: ID!) { dataset(id: $id) { versions { ${VERSION_FIELDS} } } }`,
      { id: datasetId },
      token,
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    const v = res.data.dataset.versions.find((x: any) => x.version === version);
    if (v.status === 'READY') return v;
    if (v.status === 'FAILED') throw new Error(`FAILED: ${v.error}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`version ${version} of ${datasetId} still PROFILING`);
}
