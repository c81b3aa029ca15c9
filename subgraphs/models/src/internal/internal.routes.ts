import type { MikroORM } from '@mikro-orm/core';
import type express from 'express';
import type { ArtifactStore, TokenVerifier, Viewer } from '../../../../lib/src/index';
import { INTERNAL_ROUTES } from '../../../../lib/contracts/index';
import { requireBearer } from '../../../../lib/src/index';
import type { ModelRegistry } from '../model/model-registry.service';
import type { ModelVersion } from '../model-version/model-version.entity';

/** The internal representation of a version (LIB-CONTRACT). */
export function internalVersionJson(v: ModelVersion): Record<string, unknown> {
  return {
    id: v.id,
    modelId: v.modelId,
    modelName: v.modelName,
    version: v.version,
    organizationId: v.organizationId,
    artifact: { sha256: v.sha256, size: v.size, format: v.format },
    signature: { inputs: v.signatureJson.inputs, outputs: v.signatureJson.outputs },
    metrics: v.metrics,
    parameters: v.parameters,
  };
}

/**
 * `GET /internal/model-versions/:id` (JSON) and `.../artifact` (ONNX bytes, streamed): any valid
 * token whose organization owns the version; another organization's version is a 404.
 */
export function mountInternalRoutes(
  app: express.Express,
  deps: { orm: MikroORM; store: ArtifactStore; verify: TokenVerifier; registry: ModelRegistry },
): void {
  const auth = requireBearer(deps.verify);
  const find = async (id: string, res: express.Response): Promise<ModelVersion | null> => {
    const viewer = res.locals.viewer as Viewer;
    const version = await deps.registry.versionInOrganization(deps.orm.em.fork(), viewer.organizationId, id);
    if (!version) res.status(404).json({ error: 'Model version not found' });
    return version;
  };
  app.get(INTERNAL_ROUTES.modelVersion.path, auth, async (req, res, next) => {
    try {
      const version = await find(req.params.id as string, res);
      if (version) res.json(internalVersionJson(version));
    } catch (error) {
      next(error);
    }
  });
  app.get(INTERNAL_ROUTES.modelVersionArtifact.path, auth, async (req, res, next) => {
    try {
      const version = await find(req.params.id as string, res);
      if (!version) return;
      res.setHeader('content-type', 'application/octet-stream');
      res.setHeader('content-length', String(version.size));
      res.setHeader('x-sha256', version.sha256);
      deps.store.open(version.sha256).on('error', next).pipe(res);
    } catch (error) {
      next(error);
    }
  });
}
