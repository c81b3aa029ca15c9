import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import type { TokenVerifier } from './auth/token-verifier';
import { bearerToken } from './auth/token-verifier';
import type { Viewer } from './auth/viewer';
import type { Logger } from './logger';
import type { ContextInput } from './server';

/** The request context every subgraph resolver receives (a subgraph may extend it). */
export interface ServiceContext {
  viewer: Viewer | null;
  /** A fork of the service's EntityManager for this request or subscription. */
  em: EntityManager;
  requestId: string;
  logger: Logger;
  /** The caller's `Authorization` header, to forward when this request calls another service. */
  authorization?: string;
  traceparent?: string;
}

interface ContextDeps {
  orm: MikroORM;
  verify: TokenVerifier;
  logger: Logger;
}

/**
 * One request's context. `em` and `logger` are getters of the class, made on first use: Apollo
 * Server copies the context for each operation with `Object.assign`, which copies own properties
 * only, so the copy stays lazy too (own getters would be called by the copy).
 */
class RequestContext implements ServiceContext {
  private fork?: EntityManager;
  private child?: Logger;

  constructor(
    private readonly deps: ContextDeps,
    readonly viewer: Viewer | null,
    readonly requestId: string,
    readonly authorization: string | undefined,
    readonly traceparent: string | undefined,
  ) {}

  get em(): EntityManager {
    return (this.fork ??= this.deps.orm.em.fork());
  }

  get logger(): Logger {
    return (this.child ??= this.deps.logger.child({ requestId: this.requestId }));
  }
}

/**
 * Builds the per-request context: verifies the bearer token (no token = anonymous viewer `null`,
 * a bad token = UNAUTHENTICATED with HTTP 401). The EntityManager fork and the request's logger are
 * made on first use, so a request that never touches the database pays for neither; add a
 * subgraph's own members with `Object.assign` (a spread would make both at once and lose the class).
 */
export function createContextFactory(deps: ContextDeps) {
  return async (input: ContextInput): Promise<ServiceContext> => {
    let viewer: Viewer | null;
    try {
      const token = bearerToken(input.authorization);
      viewer = token ? await deps.verify(token) : null;
    } catch (err) {
      throw new GraphQLError((err as Error).message, {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      });
    }
    return new RequestContext(deps, viewer, input.requestId, input.authorization, input.traceparent);
  };
}

/**
 * Express middleware for REST routes (internal routes, OIP, Confluent API): verifies the bearer
 * token and puts the Viewer on `res.locals.viewer`; answers 401 `{ error }` otherwise.
 */
export function requireBearer(verify: TokenVerifier) {
  return async (req: { headers: { authorization?: string } }, res: Response, next: (err?: unknown) => void) => {
    try {
      const token = bearerToken(req.headers.authorization);
      if (!token) {
        res.status(401).json({ error: 'Authentication required' });
        return;
      }
      res.locals.viewer = await verify(token);
      next();
    } catch (err) {
      res.status(401).json({ error: (err as Error).message });
    }
  };
}
