import type { MikroORM } from '@mikro-orm/core';
import type express from 'express';
import type { Logger } from '../../../lib/src/index';
import { INTERNAL_ROUTES, SERVICE_SECRET_HEADER } from '../../../lib/contracts/index';
import { GraphQLErrorWithCode, jsonBody } from '../../../lib/src/index';
import type { BlockList } from 'node:net';
import type { IdentityServices } from './identity.services';
import { requestMeta } from './context';

/**
 * Identity's REST routes: the public JWKS every service verifies tokens with, and the service-token
 * route background jobs use (guarded by the shared service secret).
 */
export function mountIdentityRoutes(
  app: express.Express,
  deps: { orm: MikroORM; services: IdentityServices; proxies: BlockList; logger: Logger },
): void {
  app.get(INTERNAL_ROUTES.jwks.path, async (_req, res, next) => {
    try {
      const jwks = await deps.services.keys.jwks(deps.orm.em.fork());
      res.setHeader('cache-control', 'public, max-age=60');
      res.json(jwks);
    } catch (error) {
      next(error);
    }
  });

  app.post(INTERNAL_ROUTES.serviceToken.path, jsonBody({ limit: '16kb' }), async (req, res, next) => {
    const header = req.headers[SERVICE_SECRET_HEADER];
    const flat: Record<string, string | undefined> = Object.create(null);
    for (const [k, v] of Object.entries(req.headers)) flat[k] = Array.isArray(v) ? v[0] : v;
    try {
      const issued = await deps.services.serviceTokens.issue(
        deps.orm.em.fork(),
        typeof header === 'string' ? header : undefined,
        req.body ?? {},
        requestMeta(flat, req.socket.remoteAddress, deps.proxies),
      );
      res.json({ accessToken: issued.accessToken, expiresIn: issued.expiresIn });
    } catch (error) {
      if (error instanceof GraphQLErrorWithCode) {
        const code = error.extensions.code;
        res
          .status(code === 'UNAUTHENTICATED' ? 401 : code === 'FORBIDDEN' ? 403 : 400)
          .json({ error: error.message, code, fields: error.extensions.fields });
        return;
      }
      next(error);
    }
  });
}
