import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningService } from '../../../../lib/src/testing/harness';
import { gql, startService, testBaseConfig } from '../../../../lib/src/testing/harness';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import type { Config as CatalogConfig } from '../../../catalog/src/config';
import { loadConfig as loadCatalogConfig } from '../../../catalog/src/config';
import { createServer as createCatalog } from '../../../catalog/src/server';

/** The real catalog service on port 0, with helpers to register datasets and quality rules. */
export interface CatalogUnderTest {
  service: RunningService;
  url: string;
  /** Registers a CSV dataset as the token's user; returns its id. */
  addDataset(token: string, name: string, csv: string): Promise<string>;
  /** Adds a quality rule to a dataset through catalog's `createQualityRule`; returns the rule id. */
  addQualityRule(token: string, datasetId: string, rule: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the catalog subgraph over SQLite `:memory:`, trusting `issuer`'s tokens. */
export async function startCatalogService(issuer: TestIssuer): Promise<CatalogUnderTest> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-models-catalog-'));
  const auth = { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience };
  // Catalog's own defaults first, so settings it adds later keep working here.
  const config: CatalogConfig = {
    ...loadCatalogConfig({}),
    ...testBaseConfig('catalog', { dataDir, auth, serviceSecret: issuer.serviceSecret }),
    retentionIntervalSeconds: 0,
  };
  const service = await startService('catalog', (await createCatalog(config)).server);
  return {
    service,
    url: service.url,
    async addDataset(token, name, csv) {
      const res = await fetch(`${service.url}/internal/datasets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, format: 'CSV', content: csv }),
      });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    },
    async addQualityRule(token, datasetId, rule) {
      const res = await gql(
        service.graphqlUrl,
        'mutation($d: ID!, $i: QualityRuleInput!) { createQualityRule(datasetId: $d, input: $i) { id } }',
        { d: datasetId, i: rule },
        token,
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data.createQualityRule.id;
    },
    async stop() {
      await service.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
