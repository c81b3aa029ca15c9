import type { MikroORM } from '@mikro-orm/core';
import type { Express, Response } from 'express';
import type { Logger, TokenVerifier, Viewer } from '../../../../lib/src/index';
import { INTERNAL_ROUTES } from '../../../../lib/contracts/index';
import { requireBearer } from '../../../../lib/src/index';
import type { SchemasServices } from '../schemas.services';

/**
 * Service-to-service routes (lib/contracts INTERNAL_ROUTES): `GET /internal/schema-versions/:id` answers a version of
 * the token's organization as `{ id, subject, version, type, schema, organizationId }`; any other
 * organization's id is a 404, as if it did not exist.
 */
export function mountInternalRoutes(
  app: Express,
  deps: { orm: MikroORM; verify: TokenVerifier; services: SchemasServices; logger: Logger },
): void {
  app.get(INTERNAL_ROUTES.schemaVersion.path, requireBearer(deps.verify), async (req, res: Response) => {
    const viewer = res.locals.viewer as Viewer;
    try {
      const v = await deps.services.registry.getById({ viewer, em: deps.orm.em.fork() }, String(req.params.id));
      res.json({
        id: v.id,
        subject: v.subject,
        version: v.version,
        type: v.type,
        schema: v.schema,
        organizationId: v.organizationId,
        references: v.references,
        deleted: v.deleted,
      });
    } catch (err) {
      if ((err as { extensions?: { code?: string } }).extensions?.code === 'NOT_FOUND') {
        res.status(404).json({ error: (err as Error).message, code: 'NOT_FOUND' });
        return;
      }
      deps.logger.error({ err }, 'internal schema-version route failed');
      res.status(500).json({ error: 'Internal server error' });
    }
  });
}
