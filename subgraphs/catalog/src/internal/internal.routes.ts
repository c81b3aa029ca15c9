import type { MikroORM } from '@mikro-orm/core';
import type express from 'express';
import type { CatalogDataset, CreatedCatalogDataset, NewCatalogDataset } from '../../../../lib/contracts/index';
import { CONTENT_SHA256_HEADER, INTERNAL_ROUTES } from '../../../../lib/contracts/index';
import type { Logger, TokenVerifier, Viewer } from '../../../../lib/src/index';
import {
  BadUserInputError,
  ForbiddenError,
  jsonBody,
  pipeArtifact,
  requireBearer,
  viewerCan,
} from '../../../../lib/src/index';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { CatalogServices } from '../catalog.services';
import { CONTENT_TYPES, Classification, DatasetFormat } from '../dataset/dataset.enums';
import type { DatasetFields } from '../dataset/dataset.service';
import { sendError, viewerOf } from './route.helpers';

/** Whether `value` is one of the enum's values. */
const isOneOf = <E extends Record<string, string>>(e: E, value: unknown): value is E[keyof E] =>
  (Object.values(e) as unknown[]).includes(value);

export interface InternalRouteDeps {
  orm: MikroORM;
  verify: TokenVerifier;
  services: CatalogServices;
  logger: Logger;
  /** Largest dataset content accepted (bytes). */
  maxContentBytes: number;
}

function need(viewer: Viewer, permission: string): void {
  if (!viewerCan(viewer, permission)) throw new ForbiddenError(`Missing permission ${permission}`);
}

/**
 * Catalog's internal routes as lib/contracts declares them (INTERNAL_ROUTES.catalog*: dataset
 * metadata, latest content bytes, dataset creation for services) and Marquez's `POST /api/v1/lineage`. Every route needs a valid access token of the
 * organization that owns the resource.
 */
export function mountInternalRoutes(app: express.Express, deps: InternalRouteDeps): void {
  const auth = requireBearer(deps.verify);
  const json = jsonBody({ limit: deps.maxContentBytes + 64 * 1024 });
  const { orm, services, logger } = deps;
  const scopeOf = (res: express.Response): RequestScope => ({ viewer: viewerOf(res), em: orm.em.fork() });

  app.get(INTERNAL_ROUTES.catalogDataset.path, auth, async (req, res) => {
    try {
      const scope = scopeOf(res);
      need(scope.viewer, 'catalog:read');
      const d = await services.access.requireReadableInternally(scope, String(req.params.id));
      const latest = await services.content.latestVersion(scope, d);
      const body: CatalogDataset = {
        id: d.id,
        organizationId: d.organizationId,
        name: d.name,
        format: d.format,
        classification: d.classification,
        columns: d.columns.map((c) => ({
          name: c.name,
          type: c.type,
          classification: c.classification,
          piiReview: c.piiReview ?? null,
        })),
        latestVersion: latest
          ? { version: latest.version, sha256: latest.sha256, size: latest.size, rowCount: latest.rowCount }
          : null,
      };
      res.json(body);
    } catch (err) {
      sendError(res, err, logger);
    }
  });

  app.get(INTERNAL_ROUTES.catalogDatasetContent.path, auth, async (req, res) => {
    try {
      const scope = scopeOf(res);
      need(scope.viewer, 'catalog:read');
      const d = await services.access.requireReadableInternally(scope, String(req.params.id));
      // `?column=a&column=b`: only those columns (a job reads what it uses; PII rules apply to those only).
      const asked = req.query.column;
      const columns = (Array.isArray(asked) ? asked : asked === undefined ? [] : [asked]).map(String);
      const { version: latest, stream, projected } = await services.content.openLatest(scope, d, columns);
      res.setHeader('content-type', CONTENT_TYPES[latest.format]);
      res.setHeader(CONTENT_SHA256_HEADER, latest.sha256);
      if (!projected) res.setHeader('content-length', String(latest.size));
      pipeArtifact(stream, res, (err) => sendError(res, err, logger));
    } catch (err) {
      sendError(res, err, logger);
    }
  });

  app.post(INTERNAL_ROUTES.catalogCreateDataset.path, auth, json, async (req, res) => {
    try {
      const scope = scopeOf(res);
      need(scope.viewer, 'catalog:write');
      const body = (req.body ?? {}) as Partial<Record<keyof NewCatalogDataset, unknown>>;
      if (!isOneOf(DatasetFormat, body.format))
        throw new BadUserInputError('Invalid format', [{ field: 'format', message: 'must be CSV or JSONL' }]);
      if (typeof body.content !== 'string' || body.content.length === 0)
        throw new BadUserInputError('Invalid content', [{ field: 'content', message: 'must be a non-empty string' }]);
      if (body.classification !== undefined && !isOneOf(Classification, body.classification)) {
        throw new BadUserInputError('Invalid classification', [
          { field: 'classification', message: `must be one of ${Object.values(Classification).join(', ')}` },
        ]);
      }
      // name, description, tags and columns are checked by the dataset service, as for GraphQL input.
      const fields = {
        name: body.name as DatasetFields['name'],
        description: (body.description ?? null) as DatasetFields['description'],
        format: body.format,
        tags: (Array.isArray(body.tags) ? body.tags : []) as string[],
        classification: body.classification,
        columns: (Array.isArray(body.columns) ? body.columns : []) as NonNullable<DatasetFields['columns']>,
      };
      // With an `idempotency-key` (a service's job id), a repeated create answers 200 with the first one's dataset.
      const key = req.get('idempotency-key');
      const { dataset, version, created } =
        key !== undefined
          ? await services.datasets.createWithContentOnce(scope, key, fields, body.content)
          : { ...(await services.datasets.createWithContent(scope, fields, body.content)), created: true };
      const answer: CreatedCatalogDataset = { id: dataset.id, version: version.version };
      res.status(created ? 201 : 200).json(answer);
    } catch (err) {
      sendError(res, err, logger);
    }
  });

  app.post(INTERNAL_ROUTES.lineage.path, auth, json, async (req, res) => {
    try {
      const scope = scopeOf(res);
      need(scope.viewer, 'catalog:write');
      const { warnings } = await services.lineage.ingest(scope, req.body);
      // Marquez answers 201 with no body; the warnings tell a client what was left out of the graph.
      res.status(201).json(warnings.length ? { warnings } : {});
    } catch (err) {
      sendError(res, err, logger);
    }
  });
}
