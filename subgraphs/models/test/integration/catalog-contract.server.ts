import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import express from 'express';
import { createTokenVerifier, requireBearer } from '../../../../lib/src/index';
import type { Viewer } from '../../../../lib/src/index';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import { OPENLINEAGE_FIXTURES } from '../../../../test/fixtures';

/** A dataset the server answers for. */
export interface HostedDataset {
  id: string;
  organizationId: string;
  name: string;
  csv: string;
  /** Columns classified PII (their content needs catalog:read-pii). */
  pii: string[];
}

/**
 * The catalog's side of the LIB-CONTRACT routes the models service calls (`GET /internal/datasets/:id`,
 * `.../content`, `POST /api/v1/lineage`), served over real HTTP with real token verification.
 * The catalog subgraph does not serve these routes yet; this server speaks the same contract and
 * validates every lineage event against the OpenLineage 2-0-2 JSON Schema from the fixtures.
 */
export async function startCatalogContractServer(issuer: TestIssuer) {
  const datasets = new Map<string, HostedDataset>();
  const lineage: { organizationId: string; event: any }[] = [];
  const invalidLineage: unknown[] = [];
  const spec = JSON.parse(readFileSync(path.join(OPENLINEAGE_FIXTURES, 'OpenLineage.json'), 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(spec);
  const validateRunEvent = ajv.compile({ $ref: `${spec.$id}#/$defs/RunEvent` } as any);
  const verify = createTokenVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience });
  const app = express();
  app.use(express.json({ limit: '5mb' }));
  const auth = requireBearer(verify);
  const owned = (id: string, viewer: Viewer) => {
    const d = datasets.get(id);
    return d && d.organizationId === viewer.organizationId && viewer.permissions.includes('catalog:read')
      ? d
      : undefined;
  };
  app.get('/internal/datasets/:id', auth, (req, res) => {
    const d = owned(req.params.id, res.locals.viewer);
    if (!d) return void res.status(404).json({ error: 'Dataset not found' });
    const header = d.csv.split('\n')[0]!.split(',');
    const rows = d.csv.trim().split('\n').length - 1;
    res.json({
      id: d.id,
      organizationId: d.organizationId,
      name: d.name,
      format: 'CSV',
      classification: 'INTERNAL',
      columns: header.map((name) => ({ name, type: 'string', classification: d.pii.includes(name) ? 'PII' : 'NONE' })),
      latestVersion: {
        version: 1,
        sha256: createHash('sha256').update(d.csv).digest('hex'),
        size: Buffer.byteLength(d.csv),
        rowCount: rows,
      },
    });
  });
  app.get('/internal/datasets/:id/content', auth, (req, res) => {
    const d = owned(req.params.id, res.locals.viewer);
    if (!d) return void res.status(404).json({ error: 'Dataset not found' });
    res.setHeader('content-type', 'text/csv');
    res.setHeader('x-sha256', createHash('sha256').update(d.csv).digest('hex'));
    res.send(d.csv);
  });
  app.post('/api/v1/lineage', auth, (req, res) => {
    const viewer = res.locals.viewer as Viewer;
    if (!viewer.permissions.includes('catalog:write'))
      return void res.status(403).json({ error: 'catalog:write required' });
    if (!validateRunEvent(req.body)) {
      invalidLineage.push({ event: req.body, errors: validateRunEvent.errors });
      return void res.status(400).json({ error: 'invalid OpenLineage event' });
    }
    lineage.push({ organizationId: viewer.organizationId, event: req.body });
    res.status(201).json({});
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    lineage,
    invalidLineage,
    addDataset(organizationId: string, name: string, csv: string, pii: string[] = []): string {
      const id = randomUUID();
      datasets.set(id, { id, organizationId, name, csv, pii });
      return id;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Records as CSV (header from the first record's keys; empty for null). */
export function toCsv(records: Record<string, unknown>[]): string {
  const columns = Object.keys(records[0]!);
  const cell = (v: unknown) =>
    v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v);
  return [columns.join(','), ...records.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}
