// Batch inference reads files as base64 cells of a JSONL (or CSV) dataset (docs/api/inference.md, "N-D
// inputs"): catalog must profile such content, leave the file column unclassified by PII detection and
// serve the column intact to a job's projected read.
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServiceTokenSource } from '../../../lib/src/index';
import { CatalogInternalClient, readDatasetForJob } from '../../../lib/contracts/index';
import type { CatalogHarness } from './catalog.harness';
import { startCatalog } from './catalog.harness';

let h: CatalogHarness;
beforeAll(async () => {
  h = await startCatalog();
});
afterAll(async () => h?.stop());

it('profiles a JSONL dataset of base64 files and serves the file column intact to a job', async () => {
  const tokens = createServiceTokenSource({
    identityUrl: h.issuer.url,
    service: 'inference',
    secret: h.issuer.serviceSecret,
  });
  const writer = await tokens.getToken('org-files', ['catalog:read', 'catalog:write']);
  // Compressed bytes look random in base64, like PNG, WAV or .npy files do.
  const files = Array.from({ length: 40 }, (_, i) =>
    deflateSync(Buffer.from(Array.from({ length: 3000 + i * 97 }, (_, k) => (k * 2654435761 + i) % 251))).toString(
      'base64',
    ),
  );
  const content = files.map((f, i) => JSON.stringify({ name: `img-${i}.png`, file: f })).join('\n') + '\n';
  const catalog = new CatalogInternalClient(h.service.url);
  const created = await catalog.createDataset({ name: 'image-files', format: 'JSONL', content }, `Bearer ${writer}`);
  const meta = await catalog.getDataset(created.id, `Bearer ${writer}`);
  expect(meta.columns.map((c) => [c.name, c.classification])).toEqual([
    ['name', 'INTERNAL'],
    ['file', 'INTERNAL'],
  ]);
  const read = await readDatasetForJob(catalog, tokens, {
    organizationId: 'org-files',
    datasetId: created.id,
    onBehalfOf: 'user-files',
    columns: ['file'],
  });
  expect(
    read.content.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).file),
  ).toEqual(files);
});
