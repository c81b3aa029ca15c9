import type { MikroORM } from '@mikro-orm/core';
import express from 'express';
import type { ArtifactStore, Logger, TokenVerifier, Viewer } from '../../../../lib/src/index';
import { BadUserInputError, ForbiddenError, NotFoundError, refuseDeepJsonBody, requireBearer, viewerCan } from '../../../../lib/src/index';
import type { CatalogServices } from '../context';
import { addContentVersion } from '../dataset/dataset-content.service';
import { Dataset, piiColumnsOf } from '../dataset/dataset.entity';
import { AccessLevel, CONTENT_TYPES, Classification, DatasetFormat } from '../dataset/dataset.enums';
import { createDataset } from '../dataset/dataset.service';
import { DatasetVersion } from '../dataset/dataset-version.entity';
import { requireDataset } from '../governance/access.service';
import { recordAudit } from '../governance/audit.service';
import { AuditAction } from '../governance/governance.enums';
import { acceptLineageEvent } from '../lineage/lineage.service';
import { sendError, viewerOf } from './route.helpers';

export interface InternalRouteDeps {
  orm: MikroORM;
  verify: TokenVerifier;
  store: ArtifactStore;
  services: Pick<CatalogServices, 'validator' | 'publish' | 'maxContentBytes' | 'metrics'>;
  logger: Logger;
}

function need(viewer: Viewer, permission: string): void {
  if (!viewerCan(viewer, permission)) throw new ForbiddenError(`Missing permission ${permission}`);
}

/** Service tokens read any dataset of their organization; user tokens go through grants. */
async function loadForRead(orm: MikroORM, viewer: Viewer, id: string): Promise<Dataset> {
  need(viewer, 'catalog:read');
  const em = orm.em.fork();
  if (viewer.kind === 'service') {
    const d = await em.findOne(Dataset, { id, organizationId: viewer.organizationId });
    if (!d) throw new NotFoundError('Dataset', id);
    return d;
  }
  return (await requireDataset(em, viewer, id, AccessLevel.READ)).dataset;
}

/**
 * The internal routes of LIB-CONTRACT (dataset metadata, latest content bytes, dataset creation for
 * services) and Marquez's `POST /api/v1/lineage`. Every route needs a valid access token of the
 * organization that owns the resource.
 */
export function mountInternalRoutes(app: express.Express, deps: InternalRouteDeps): void {
  const auth = requireBearer(deps.verify);
  const { orm, logger } = deps;
  const parseJson = express.json({ limit: deps.services.maxContentBytes + 64 * 1024 });
  const refuseDeep = refuseDeepJsonBody((res, err) => sendError(res, err, logger));

  app.get('/internal/datasets/:id', auth, async (req, res) => {
    try {
      const d = await loadForRead(orm, viewerOf(res), String(req.params.id));
      const latest = d.latestVersion > 0 ? await orm.em.fork().findOne(DatasetVersion, { datasetId: d.id, version: d.latestVersion }) : null;
      res.json({
        id: d.id,
        organizationId: d.organizationId,
        name: d.name,
        format: d.format,
        classification: d.classification,
        columns: d.columns.map((c) => ({ name: c.name, type: c.type, classification: c.classification })),
        latestVersion: latest ? { version: latest.version, sha256: latest.sha256, size: latest.size, rowCount: latest.rowCount } : null,
      });
    } catch (err) {
      sendError(res, err, logger);
    }
  });

  app.get('/internal/datasets/:id/content', auth, async (req, res) => {
    try {
      const viewer = viewerOf(res);
      const d = await loadForRead(orm, viewer, String(req.params.id));
      const em = orm.em.fork();
      const latest = d.latestVersion > 0 ? await em.findOne(DatasetVersion, { datasetId: d.id, version: d.latestVersion }) : null;
      if (!latest || latest.contentDeletedAt) throw new NotFoundError('DatasetContent', d.id);
      const pii = piiColumnsOf(d);
      if (pii.length > 0) {
        need(viewer, 'catalog:read-pii');
        recordAudit(em, { organizationId: d.organizationId, datasetId: d.id, actorId: viewer.id, action: AuditAction.PII_READ, details: { via: 'internal-content', version: latest.version, columns: pii } });
        await em.flush();
      }
      const stream = deps.store.open(latest.sha256);
      res.setHeader('content-type', CONTENT_TYPES[latest.format]);
      res.setHeader('x-sha256', latest.sha256);
      res.setHeader('content-length', String(latest.size));
      stream.pipe(res);
    } catch (err) {
      sendError(res, err, logger);
    }
  });

  app.post('/internal/datasets', auth, parseJson, refuseDeep, async (req, res) => {
    try {
      const viewer = viewerOf(res);
      need(viewer, 'catalog:write');
      const body = (req.body ?? {}) as Record<string, any>;
      if (!Object.values(DatasetFormat).includes(body.format)) throw new BadUserInputError('Invalid format', [{ field: 'format', message: 'must be CSV or JSONL' }]);
      if (typeof body.content !== 'string' || body.content.length === 0) throw new BadUserInputError('Invalid content', [{ field: 'content', message: 'must be a non-empty string' }]);
      if (body.classification !== undefined && !Object.values(Classification).includes(body.classification)) {
        throw new BadUserInputError('Invalid classification', [{ field: 'classification', message: `must be one of ${Object.values(Classification).join(', ')}` }]);
      }
      const em = orm.em.fork();
      const dataset = await createDataset(em, viewer, {
        name: body.name,
        description: body.description ?? null,
        format: body.format,
        tags: Array.isArray(body.tags) ? body.tags : [],
        classification: body.classification,
        columns: Array.isArray(body.columns) ? body.columns : [],
      });
      const stored = await deps.store.put(body.content, { maxBytes: deps.services.maxContentBytes });
      let version;
      try {
        version = (await addContentVersion(em, deps.store, dataset, stored, viewer.id)).version;
      } catch (err) {
        // Content that cannot be read leaves no half-registered dataset behind.
        em.clear();
        await em.nativeDelete(Dataset, { id: dataset.id });
        throw err;
      }
      res.status(201).json({ id: dataset.id, version: version.version });
    } catch (err) {
      sendError(res, err, logger);
    }
  });

  app.post('/api/v1/lineage', auth, parseJson, refuseDeep, async (req, res) => {
    try {
      const viewer = viewerOf(res);
      need(viewer, 'catalog:write');
      await acceptLineageEvent(orm.em.fork(), deps.services, viewer.organizationId, req.body);
      res.status(201).json({});
    } catch (err) {
      sendError(res, err, logger);
    }
  });
}
