import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Viewer } from '../../../../lib/src/index';
import { createTokenVerifier, requireBearer } from '../../../../lib/src/index';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';

/** A model version as the models service would describe it. */
export interface StandInModelVersion {
  id: string;
  organizationId: string;
  modelName: string;
  version: number;
  bytes: Uint8Array;
  signature?: unknown;
}

export interface StandInDataset {
  id: string;
  organizationId: string;
  name: string;
  format: 'CSV' | 'JSONL';
  content: string;
  columns: string[];
}

/**
 * The models and catalog internal routes exactly as LIB-CONTRACT.md specifies them, served from
 * memory with real token checks, for subgraph tests that do not start those services. Their own
 * test suites cover their implementations; the end-to-end suite runs the real services together.
 */
export async function startPlatformStandIn(issuer: TestIssuer) {
  const verify = createTokenVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience });
  const models = new Map<string, StandInModelVersion>();
  const datasets = new Map<string, StandInDataset>();
  const lineage: Record<string, any>[] = [];
  const requests: string[] = [];
  const app = express();
  app.use(express.json({ limit: '50mb' }));
  app.use((req, _res, next) => {
    requests.push(`${req.method} ${req.path}`);
    next();
  });
  app.use(requireBearer(verify));
  const owned = <T extends { organizationId: string }>(res: express.Response, item: T | undefined): item is T => {
    if (!item) res.status(404).json({ error: 'not found' });
    else if ((res.locals.viewer as Viewer).organizationId !== item.organizationId)
      res.status(403).json({ error: 'forbidden' });
    else return true;
    return false;
  };
  app.get('/internal/model-versions/:id', (req, res) => {
    const m = models.get(req.params.id);
    if (!owned(res, m)) return;
    const sha256 = createHash('sha256').update(m.bytes).digest('hex');
    res.json({
      id: m.id,
      modelId: `model-${m.modelName}`,
      modelName: m.modelName,
      version: m.version,
      organizationId: m.organizationId,
      artifact: { sha256, size: m.bytes.byteLength, format: 'onnx' },
      signature: m.signature ?? null,
    });
  });
  app.get('/internal/model-versions/:id/artifact', (req, res) => {
    const m = models.get(req.params.id);
    if (!owned(res, m)) return;
    res.setHeader('content-type', 'application/octet-stream');
    res.send(Buffer.from(m.bytes));
  });
  app.get('/internal/datasets/:id', (req, res) => {
    const d = datasets.get(req.params.id);
    if (!owned(res, d)) return;
    res.json({
      id: d.id,
      organizationId: d.organizationId,
      name: d.name,
      format: d.format,
      classification: 'INTERNAL',
      columns: d.columns.map((name) => ({ name, type: 'string', classification: 'NONE' })),
      latestVersion: {
        version: 1,
        sha256: createHash('sha256').update(d.content).digest('hex'),
        size: Buffer.byteLength(d.content),
        rowCount: d.content.trim().split('\n').length - (d.format === 'CSV' ? 1 : 0),
      },
    });
  });
  app.get('/internal/datasets/:id/content', (req, res) => {
    const d = datasets.get(req.params.id);
    if (!owned(res, d)) return;
    res.setHeader('content-type', d.format === 'CSV' ? 'text/csv' : 'application/x-ndjson');
    res.send(d.content);
  });
  app.post('/internal/datasets', (req, res) => {
    const viewer = res.locals.viewer as Viewer;
    if (!viewer.permissions.includes('catalog:write'))
      return void res.status(403).json({ error: 'catalog:write needed' });
    const { name, format, content } = req.body as { name: string; format: 'CSV' | 'JSONL'; content: string };
    const id = randomUUID();
    const columns =
      format === 'CSV' ? content.split('\n')[0]!.split(',') : Object.keys(JSON.parse(content.split('\n')[0]!));
    datasets.set(id, { id, organizationId: viewer.organizationId, name, format, content, columns });
    res.status(201).json({ id, version: 1 });
  });
  app.post('/api/v1/lineage', (req, res) => {
    lineage.push(req.body);
    res.status(201).json({});
  });
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    models,
    datasets,
    lineage,
    requests,
    addModel(m: Omit<StandInModelVersion, 'id'> & { id?: string }): StandInModelVersion {
      const full = { ...m, id: m.id ?? randomUUID() };
      models.set(full.id, full);
      return full;
    },
    addDataset(d: Omit<StandInDataset, 'id'>): StandInDataset {
      const full = { ...d, id: randomUUID() };
      datasets.set(full.id, full);
      return full;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
